namespace ServiceHall.Testing.Scale;

/// <summary>What the scale run starts and drives.</summary>
internal sealed record ScaleOptions
{
    /// <summary>Township centres, taken from the seed registry in its order (it has 21).</summary>
    public int Townships { get; init; } = 21;

    /// <summary>Village stations in all, taken round-robin from the chosen townships' villages in the seed registry (it has 104).</summary>
    public int Villages { get; init; } = 104;

    /// <summary>Cases of the load phase.</summary>
    public int Cases { get; init; } = 360;

    /// <summary>Cases started per second in the load phase (Poisson arrivals).</summary>
    public double Rate { get; init; } = 2.0;

    /// <summary>
    /// Run one township and some villages as separate node programs (their memory is read from /proc): a village on the
    /// JIT, and a village with its web front desk; with <see cref="NativeVillages"/> also a native village, and the
    /// front-desk village native too.
    /// </summary>
    public bool ProcessNodes { get; init; } = true;

    /// <summary>
    /// Run village programs as the native (Native AOT) executable a station PC runs, built first with
    /// <c>dotnet publish village-node -c Release</c>; one village program stays on the JIT to compare.
    /// </summary>
    public bool NativeVillages { get; init; } = true;

    /// <summary>Cases a village takes while offline in the catch-up phase (a week of its share of a million a year: 1e6 / 104 / 52 ≈ 185); 0 skips the phase.</summary>
    public int CatchUpCases { get; init; } = 185;

    /// <summary>Extra configuration for every node, e.g. <c>--Sync:Watch=false</c> (to measure without the notice stream).</summary>
    public IReadOnlyList<string> NodeArgs { get; init; } = ["--Sync:Watch=true"];

    /// <summary>Seed of the workload's random choices.</summary>
    public int Seed { get; init; } = 20261127;

    /// <summary>Longest the whole run may take; it is cancelled after that.</summary>
    public TimeSpan Bound { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Longest the network may take to converge after a phase.</summary>
    public TimeSpan ConvergeBound { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Where the node stores go (a fresh directory, deleted afterwards).</summary>
    public string DataRoot { get; init; } = Path.Combine(Path.GetTempPath(), "servicehall-scale-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Progress lines, or null for none.</summary>
    public Action<string>? Log { get; init; }
}
