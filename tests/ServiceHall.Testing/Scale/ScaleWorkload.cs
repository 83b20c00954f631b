using System.Globalization;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// The synthetic workload, drawn from the seed catalogue. Where a case is taken (assumption, stated in BENCHMARKS.md):
/// 40% at village stations, 30% at township centres, 30% at the city hall. At a village 60% village items, 25% township
/// items, 15% city items; at a township 70% township items, 30% city items; at the city city items. Each case runs its
/// whole life through the domain: it is routed up one level at a time to the level that decides it, accepted there,
/// reviewed in parallel by every department the item requires, decided, and delivered and rated where it was taken.
/// </summary>
internal sealed class ScaleWorkload(IReadOnlyList<ServiceItem> items, Random random)
{
    private readonly ServiceItem[] _village = [.. items.Where(i => i.HandlingLevel == NodeLevel.Village)];
    private readonly ServiceItem[] _township = [.. items.Where(i => i.HandlingLevel == NodeLevel.Township)];
    private readonly ServiceItem[] _city = [.. items.Where(i => i.HandlingLevel == NodeLevel.City)];
    private readonly Lock _gate = new();
    private int _serial;

    /// <summary>Picks the level where the next case is taken.</summary>
    public NodeLevel NextIntakeLevel()
    {
        var r = Next();
        return r < 0.4 ? NodeLevel.Village : r < 0.7 ? NodeLevel.Township : NodeLevel.City;
    }

    /// <summary>Picks an item for a case taken at <paramref name="intake"/>.</summary>
    public ServiceItem NextItem(NodeLevel intake)
    {
        var r = Next();
        return intake switch
        {
            NodeLevel.Village => Pick(r < 0.6 ? _village : r < 0.85 ? _township : _city),
            NodeLevel.Township => Pick(r < 0.7 ? _township : _city),
            _ => Pick(_city),
        };
    }

    /// <summary>Picks one of <paramref name="nodes"/>.</summary>
    public T PickNode<T>(IReadOnlyList<T> nodes)
    {
        lock (_gate)
        {
            return nodes[random.Next(nodes.Count)];
        }
    }

    /// <summary>An exponentially distributed pause for a Poisson arrival process of <paramref name="perSecond"/>.</summary>
    public TimeSpan NextGap(double perSecond)
    {
        var u = Next();
        return TimeSpan.FromSeconds(-Math.Log(1 - u) / perSecond);
    }

    /// <summary>
    /// Runs one case from intake to rating. <paramref name="upTo"/> stops it early: after it reached the deciding node
    /// (<see cref="CaseStage.AtDecidingNode"/>) or after the decision (<see cref="CaseStage.Decided"/>).
    /// </summary>
    public async Task<CaseRun> RunAsync(ScaleNode intake, ServiceItem item, CancellationToken ct, CaseStage upTo = CaseStage.Rated)
    {
        var serial = Interlocked.Increment(ref _serial);
        var (number, _) = await intake.SubmitAsync(item.Code, "申请人" + serial.ToString(CultureInfo.InvariantCulture),
            "3709822026" + serial.ToString("D8", CultureInfo.InvariantCulture)).ConfigureAwait(false);
        var deciding = intake;
        while (deciding.Level != item.HandlingLevel)
        {
            var parent = deciding.Parent!;
            var routed = await deciding.ActAsync(number, CaseEventKind.Routed, InProcessNode.Window,
                new CaseEventData { TargetNode = parent.Id, TargetLevel = parent.Level }).ConfigureAwait(false);
            await parent.WaitForAsync(number, routed, ct).ConfigureAwait(false);
            deciding = parent;
        }

        var run = new CaseRun(number, item, intake, deciding);
        return upTo == CaseStage.AtDecidingNode ? run : await ContinueAsync(run, ct, upTo).ConfigureAwait(false);
    }

    /// <summary>Decides a case that has reached its deciding node and, unless <paramref name="upTo"/> says otherwise, delivers and rates it.</summary>
    public static async Task<CaseRun> ContinueAsync(CaseRun run, CancellationToken ct, CaseStage upTo = CaseStage.Rated)
    {
        var (number, item, intake, deciding) = (run.Number, run.Item, run.Intake, run.Deciding);
        var lead = new CaseActor("lead-" + item.LeadDepartment, item.LeadDepartment);
        await deciding.ActAsync(number, CaseEventKind.Accepted, lead, CaseEventData.None).ConfigureAwait(false);
        // Parallel review: every required department answers on its own.
        await Task.WhenAll(item.ReviewDepartments.Select(d => Task.Run(() => deciding.ActAsync(number, CaseEventKind.OpinionRecorded,
            new CaseActor("reviewer-" + d, d), new CaseEventData { Department = d, Opinion = OpinionKind.Approve, Reason = "材料齐全" }), ct))).ConfigureAwait(false);
        var decision = await deciding.ActAsync(number, CaseEventKind.Decided, lead, new CaseEventData { Approved = true, Reason = "准予办理" }).ConfigureAwait(false);
        run = run with { Decision = decision };
        if (upTo == CaseStage.Decided)
        {
            return run;
        }

        if (intake != deciding)
        {
            await intake.WaitForAsync(number, decision, ct).ConfigureAwait(false);
        }

        await intake.ActAsync(number, CaseEventKind.Delivered, InProcessNode.Window, CaseEventData.None).ConfigureAwait(false);
        await intake.ActAsync(number, CaseEventKind.Evaluated, InProcessNode.Window, new CaseEventData { Rating = 5 }).ConfigureAwait(false);
        return run;
    }

    private ServiceItem Pick(ServiceItem[] from)
    {
        lock (_gate)
        {
            return from[random.Next(from.Length)];
        }
    }

    private double Next()
    {
        lock (_gate)
        {
            return random.NextDouble();
        }
    }
}

/// <summary>How far a case of the workload is taken.</summary>
internal enum CaseStage
{
    /// <summary>Taken and routed up until the deciding node holds it.</summary>
    AtDecidingNode,

    /// <summary>Also accepted, reviewed and decided.</summary>
    Decided,

    /// <summary>Also delivered and rated where it was taken.</summary>
    Rated,
}

/// <summary>One case of the workload.</summary>
/// <param name="Number">Case number.</param>
/// <param name="Item">Its item.</param>
/// <param name="Intake">Where it was taken.</param>
/// <param name="Deciding">Where it is decided.</param>
/// <param name="Decision">Id of the decision event, once decided.</param>
internal sealed record CaseRun(string Number, ServiceItem Item, ScaleNode Intake, ScaleNode Deciding, string? Decision = null);
