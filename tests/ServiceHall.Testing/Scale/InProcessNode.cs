using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Hosting;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// A node host built by <see cref="NodeProgram.Build"/> (the same host the node programs run: Kestrel on 127.0.0.1 with a
/// dynamic port, its own SQLite store, the sync runner and services) inside the bench process. The workload acts through
/// the node's <see cref="CaseDesk"/>, the transport-free application service under the Cases gRPC service and the web pages.
/// </summary>
internal sealed class InProcessNode : ScaleNode
{
    private readonly WebApplication _app;
    private readonly CaseDesk _cases;
    private readonly Arrivals _arrivals;

    private InProcessNode(RegisteredNode registration, string dataDir, WebApplication app, Arrivals arrivals)
        : base(registration, dataDir)
    {
        _app = app;
        _arrivals = arrivals;
        _cases = app.Services.GetRequiredService<CaseDesk>();
        Sync = app.Services.GetRequiredService<SyncStore>();
        Runner = app.Services.GetRequiredService<SyncRunner>();
        Url = NodeProgram.BoundAddress(app).ToString().TrimEnd('/');
    }

    /// <inheritdoc />
    public override string Url { get; }

    /// <inheritdoc />
    public override bool IsProcess => false;

    /// <summary>The node's sync engine.</summary>
    public SyncStore Sync { get; }

    /// <summary>The node's sync runner (rounds on demand).</summary>
    public SyncRunner Runner { get; }

    /// <summary>Builds, migrates and starts a node whose parent listens at <paramref name="upstreamUrl"/> (null at the city).</summary>
    public static async Task<InProcessNode> StartAsync(RegisteredNode registration, string? upstreamUrl, string dataRoot, Arrivals arrivals, IEnumerable<string> extraArgs)
    {
        var dir = Path.Combine(dataRoot, registration.Id);
        List<string> args = ["--id", registration.Id, "--listen", "http://127.0.0.1:0", "--data", dir, "--Node:LogLevel=Warning", NodeHostingExtensions.InsecureCleartextSwitch, .. extraArgs];
        if (upstreamUrl is not null)
        {
            args.AddRange(["--upstream", upstreamUrl]);
        }

        var app = NodeProgram.Build([.. args], registration.Level, null, null, TimeProvider.System);
        app.InitializeServiceHallStore();
        await app.StartAsync().ConfigureAwait(false);
        var node = new InProcessNode(registration, dir, app, arrivals);
        arrivals.Watch(registration.Id, node.Sync);
        return node;
    }

    /// <inheritdoc />
    public override Task<(string Number, string EventId)> SubmitAsync(string item, string applicant, string idNumber)
    {
        var state = _cases.Submit(item, applicant, idNumber, null, CaseChannel.Window, Window);
        var id = state.History[0].Id;
        _arrivals.Written(Id, id, state.Number);
        return Task.FromResult((state.Number, id));
    }

    /// <inheritdoc />
    public override Task<string> ActAsync(string number, CaseEventKind kind, CaseActor actor, CaseEventData data)
    {
        var state = kind switch
        {
            CaseEventKind.Accepted => _cases.Accept(number, actor),
            CaseEventKind.Routed => _cases.Route(number, actor, data.TargetNode, data.TargetLevel!.Value),
            CaseEventKind.OpinionRecorded => _cases.RecordOpinion(number, actor, data.Department, data.Opinion ?? OpinionKind.Approve, data.Reason),
            CaseEventKind.Decided => _cases.Decide(number, actor, data.Approved ?? true, data.Reason),
            CaseEventKind.Delivered => _cases.Deliver(number, actor),
            CaseEventKind.Evaluated => _cases.Evaluate(number, actor, data.Rating ?? 5, data.Comment, agency: null, agencyScore: 0),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "the scale workload does not take this action"),
        };
        var id = state.History.MaxBy(e => e.Order)!.Id;
        _arrivals.Written(Id, id, number);
        return Task.FromResult(id);
    }

    /// <inheritdoc />
    public override Task WaitForAsync(string number, string eventId, CancellationToken cancellationToken) =>
        _arrivals.WaitAsync(Id, eventId, cancellationToken);

    /// <summary>
    /// Computes the dashboard both ways, <paramref name="repeat"/> times each: as it was computed per call before (every case
    /// derived from its history, then counted: <see cref="CaseStatistics.Compute"/> over <see cref="CaseRepository.All"/>) and
    /// as <see cref="ServiceHall.Core.Api.StatisticsService"/> computes it now (<see cref="CaseRepository.Statistics"/>); the medians, and whether
    /// both gave the same figures.
    /// </summary>
    public StatisticsTiming TimeStatistics(int repeat = 5)
    {
        var repository = _app.Services.GetRequiredService<CaseRepository>();
        var catalogue = _app.Services.GetRequiredService<ICaseCatalogue>();
        CaseStatisticsReport derived = null!, aggregated = null!;
        var derivedTimes = new List<TimeSpan>();
        var aggregatedTimes = new List<TimeSpan>();
        for (var i = 0; i < repeat; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            derived = CaseStatistics.Compute(repository.All(), catalogue.FindItem);
            derivedTimes.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            aggregated = repository.Statistics();
            aggregatedTimes.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        return new StatisticsTiming(derived.Total.Cases, Median(derivedTimes), Median(aggregatedTimes), StatisticsTiming.Same(derived, aggregated));
    }

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

    /// <inheritdoc />
    public override async Task StopAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The window clerk of a node.</summary>
    public static CaseActor Window { get; } = new("clerk-1", "window");

    /// <summary>
    /// Registers (this node being the city) a reviewer of each of <paramref name="departments"/> at node
    /// <paramref name="nodeId"/>, with fresh secrets; a reviewer files and acts on cases and records its department's opinion.
    /// </summary>
    public ProcessNode.Credentials AddBenchClerks(string nodeId, IEnumerable<string> departments)
    {
        var registry = _app.Services.GetRequiredService<ClerkRegistry>();
        var byDepartment = new Dictionary<string, (string Id, string Secret)>(StringComparer.Ordinal);
        foreach (var department in departments)
        {
            var id = $"bench-{department.ToLowerInvariant()}@{nodeId}";
            var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            registry.Add(id, nodeId, department, ClerkRole.Reviewer, id, secret);
            byDepartment[department] = (id, secret);
        }

        return new ProcessNode.Credentials(byDepartment);
    }
}
