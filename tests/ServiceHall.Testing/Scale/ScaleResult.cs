using System.Diagnostics;
using ServiceHall.Core.Cases;

namespace ServiceHall.Testing.Scale;

/// <summary>Latency samples of one kind, in milliseconds.</summary>
internal sealed class LatencySamples(string name)
{
    private readonly List<double> _ms = [];

    /// <summary>What is measured, e.g. <c>village → township</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Samples taken.</summary>
    public int Count => _ms.Count;

    /// <summary>Adds one sample between two Stopwatch timestamps.</summary>
    public void Add(long from, long to) => _ms.Add(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds);

    /// <summary>The <paramref name="p"/>-th percentile (nearest rank), NaN without samples.</summary>
    public double Percentile(double p)
    {
        if (_ms.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _ms.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Largest sample, NaN without samples.</summary>
    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();
}

/// <summary>The figures of one scale run.</summary>
internal sealed record ScaleResult
{
    /// <summary>Nodes by level: city, townships, villages; and how many run as separate programs.</summary>
    public required (int Townships, int Villages, int Processes) Topology { get; init; }

    /// <summary>Start-up of the whole network until every node held the catalogue.</summary>
    public required TimeSpan StartUp { get; init; }

    /// <summary>Cases started in the load phase.</summary>
    public required int CasesStarted { get; init; }

    /// <summary>Cases that ran their whole life (rated where taken).</summary>
    public required int CasesCompleted { get; init; }

    /// <summary>Cases whose workflow failed (an action refused, a wait that timed out); the first error of each kind.</summary>
    public required IReadOnlyList<string> Failures { get; init; }

    /// <summary>Rate the load phase offered.</summary>
    public required double OfferedRate { get; init; }

    /// <summary>From the first case's start until the last case was rated.</summary>
    public required TimeSpan LoadPhase { get; init; }

    /// <summary>Completed cases per second over <see cref="LoadPhase"/>.</summary>
    public double SustainedRate => CasesCompleted / LoadPhase.TotalSeconds;

    /// <summary>After the last case was rated, until every node held exactly what it is entitled to.</summary>
    public required TimeSpan? ConvergedAfterLoad { get; init; }

    /// <summary>The convergence check after the load phase.</summary>
    public required ConvergenceReport AfterLoad { get; init; }

    /// <summary>Propagation latency, by hop and end to end.</summary>
    public required IReadOnlyList<LatencySamples> Latency { get; init; }

    /// <summary>CPU seconds (bench process with every in-process node and the driver, plus the node programs) per 1,000 completed cases.</summary>
    public required double CpuSecondsPerThousandCases { get; init; }

    /// <summary>Peak resident memory: of the bench process (every in-process node), and of each node program by level.</summary>
    public required IReadOnlyList<(string What, long Bytes)> PeakMemory { get; init; }

    /// <summary>The catch-up phase, if run.</summary>
    public CatchUpResult? CatchUp { get; init; }

    /// <summary>The convergence check at the very end.</summary>
    public required ConvergenceReport Final { get; init; }

    /// <summary>The city's dashboard computed at the end, both ways.</summary>
    public required StatisticsTiming CityStatistics { get; init; }
}

/// <summary>The city's dashboard computed both ways over the same store.</summary>
/// <param name="Cases">Cases counted.</param>
/// <param name="Derived">Median time of one computation deriving every case (as before).</param>
/// <param name="Aggregated">Median time of one computation as the Statistics service makes it now.</param>
/// <param name="SameFigures">Both gave the same report.</param>
internal sealed record StatisticsTiming(int Cases, TimeSpan Derived, TimeSpan Aggregated, bool SameFigures)
{
    /// <summary>Whether two reports hold the same rows in the same order.</summary>
    public static bool Same(CaseStatisticsReport a, CaseStatisticsReport b) =>
        a.Total == b.Total && a.ByTownship.SequenceEqual(b.ByTownship) && a.ByItem.SequenceEqual(b.ByItem) && a.ByDepartment.SequenceEqual(b.ByDepartment);
}

/// <summary>A village back after a simulated week offline.</summary>
/// <param name="Village">The village.</param>
/// <param name="Cases">Cases it took while offline.</param>
/// <param name="UpEvents">Case events it wrote while offline (they must reach the city).</param>
/// <param name="DownEvents">Case events written above it, on its cases, while it was offline (they must reach it).</param>
/// <param name="ContactToConverged">From the start of its first successful round after the heal until both directions were complete.</param>
/// <param name="HealToConverged">From the heal of the link until both directions were complete (includes the wait for its breaker to half-open).</param>
internal sealed record CatchUpResult(string Village, int Cases, int UpEvents, int DownEvents, TimeSpan ContactToConverged, TimeSpan HealToConverged);
