using System.Collections.Concurrent;
using System.Diagnostics;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// The scale scenario: start the network, drive cases through it at a set rate (load phase: throughput, propagation
/// latency, CPU, memory), check that every node holds exactly what it is entitled to, then take one village offline for a
/// simulated week and measure its catch-up in both directions. Bounded: the whole run is cancelled after
/// <see cref="ScaleOptions.Bound"/>, and every node it started is stopped on the way out. The bench prints the result;
/// the scale test runs a small version and checks convergence.
/// </summary>
internal static class ScaleRun
{
    /// <summary>Runs the scenario and returns its figures.</summary>
    public static async Task<ScaleResult> RunAsync(ScaleOptions options, CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Bound);
        var ct = bound.Token;
        var log = options.Log ?? (_ => { });
        Directory.CreateDirectory(options.DataRoot);
        try
        {
            var startUp = Stopwatch.StartNew();
            await using var net = await ScaleNetwork.StartAsync(options, ct).ConfigureAwait(false);
            startUp.Stop();
            log($"network up in {startUp.Elapsed.TotalSeconds:F1} s: 1 city, {net.OfLevel(NodeLevel.Township).Count} townships, {net.OfLevel(NodeLevel.Village).Count} villages ({net.Processes.Count} as node programs)");
            var workload = new ScaleWorkload(net.Items, new Random(options.Seed));

            // Load phase.
            var cpu0 = CpuTime(net);
            using var browsing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var visits = net.Processes.Where(p => p.WebUrl is not null).Select(p => FrontDeskVisitor.VisitAsync(p, browsing.Token)).ToList();
            var load = await LoadAsync(net, workload, options, log, ct).ConfigureAwait(false);
            await browsing.CancelAsync().ConfigureAwait(false);
            var frontDesk = await Task.WhenAll(visits).ConfigureAwait(false);
            var cpu = CpuTime(net) - cpu0;
            var (afterLoad, convergedIn) = await ConvergeAsync(net, load.Runs.Keys, options.ConvergeBound, ct).ConfigureAwait(false);
            log($"after the load phase: {(afterLoad.Converged ? "converged" : "NOT converged")} in {convergedIn?.TotalSeconds:F1} s ({afterLoad})");
            var latency = Latencies(net, load.Runs, load.From, load.To);

            // Catch-up phase.
            CatchUpResult? catchUp = null;
            if (options.CatchUpCases > 0 && net.Cuttable is not null)
            {
                catchUp = await CatchUpAsync(net, workload, options.CatchUpCases, load.Runs, log, ct).ConfigureAwait(false);
            }

            var (final, _) = await ConvergeAsync(net, load.Runs.Keys, options.ConvergeBound, ct).ConfigureAwait(false);
            var statistics = net.City.TimeStatistics();
            var memory = new List<(string, long)> { ($"bench process ({net.Others.Count(n => !n.IsProcess) + 1} in-process nodes and the driver)", ProcFs.PeakResidentBytes(Environment.ProcessId)) };
            memory.AddRange(net.Processes.Select(p =>
            {
                var (anon, file, shmem) = p.ResidentNow();
                var desk = p.WebUrl is null ? "" : $" with its web front desk ({frontDesk.Sum(v => v.Views)} pages viewed)";
                return ($"{(p.Native ? "native " : "")}{p.Level.ToString().ToLowerInvariant()} node program {p.Id}{desk} (resident at the end: {Mib(anon)} MiB anonymous, {Mib(file)} MiB mapped files{(p.Native ? " (mostly its own executable)" : " shared with other .NET processes")}, {Mib(shmem)} MiB shared executable memory)", p.PeakResidentBytes());
            }));
            return new ScaleResult
            {
                Topology = (net.OfLevel(NodeLevel.Township).Count, net.OfLevel(NodeLevel.Village).Count, net.Processes.Count),
                StartUp = startUp.Elapsed,
                CasesStarted = load.Started,
                CasesCompleted = load.Completed,
                Failures = [.. load.Failures, .. frontDesk.SelectMany(v => v.Failures).Select(f => "front desk: " + f)],
                OfferedRate = options.Rate,
                LoadPhase = Stopwatch.GetElapsedTime(load.From, load.To),
                ConvergedAfterLoad = convergedIn,
                AfterLoad = afterLoad,
                Latency = latency,
                CpuSecondsPerThousandCases = load.Completed == 0 ? double.NaN : cpu.TotalSeconds / load.Completed * 1000,
                PeakMemory = memory,
                CatchUp = catchUp,
                Final = final,
                CityStatistics = statistics,
            };
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(options.DataRoot, recursive: true);
            }
            catch (IOException)
            {
                // a node program still closing its log: the temp directory is cleaned by the system
            }
        }
    }

    private sealed record LoadOutcome(int Started, int Completed, ConcurrentDictionary<string, CaseRun> Runs, IReadOnlyList<string> Failures, long From, long To);

    /// <summary>Starts <see cref="ScaleOptions.Cases"/> cases at Poisson arrivals of <see cref="ScaleOptions.Rate"/> per second and waits for all.</summary>
    private static async Task<LoadOutcome> LoadAsync(ScaleNetwork net, ScaleWorkload workload, ScaleOptions options, Action<string> log, CancellationToken ct)
    {
        var byLevel = new[] { NodeLevel.City, NodeLevel.Township, NodeLevel.Village }.ToDictionary(l => l, net.OfLevel);
        var runs = new ConcurrentDictionary<string, CaseRun>(StringComparer.Ordinal);
        var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var tasks = new List<Task>();
        var from = Stopwatch.GetTimestamp();
        var due = TimeSpan.Zero;
        for (var i = 0; i < options.Cases; i++)
        {
            var level = workload.NextIntakeLevel();
            var intake = workload.PickNode(byLevel[level].Count > 0 ? byLevel[level] : byLevel[NodeLevel.City]);
            var item = workload.NextItem(intake.Level);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var run = await workload.RunAsync(intake, item, ct).ConfigureAwait(false);
                    runs[run.Number] = run;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    failures.TryAdd(ex.GetType().Name + ": " + ex.Message.Split('\n')[0], $"{item.Code} taken at {intake.Id}");
                }
            }, ct));
            due += workload.NextGap(options.Rate);
            var wait = due - Stopwatch.GetElapsedTime(from);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct).ConfigureAwait(false);
            }

            if ((i + 1) % 100 == 0)
            {
                log($"load: {i + 1} cases started, {runs.Count} rated");
            }
        }

        await Task.WhenAll(tasks).WaitAsync(ct).ConfigureAwait(false);
        var to = Stopwatch.GetTimestamp();
        log($"load: {runs.Count} of {options.Cases} cases rated in {Stopwatch.GetElapsedTime(from, to).TotalSeconds:F1} s, {failures.Count} kinds of failure");
        return new LoadOutcome(options.Cases, runs.Count, runs, failures.Select(f => $"{f.Key} ({f.Value})").ToList(), from, to);
    }

    /// <summary>Polls the convergence check until it holds or <paramref name="limit"/> passes; returns the last report and the time it took.</summary>
    private static async Task<(ConvergenceReport Report, TimeSpan? After)> ConvergeAsync(ScaleNetwork net, IEnumerable<string> taken, TimeSpan limit, CancellationToken ct)
    {
        var numbers = taken.ToList();
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var report = Convergence.Check(net.City, net.Others, numbers);
            if (report.Converged)
            {
                return (report, sw.Elapsed);
            }

            if (sw.Elapsed > limit)
            {
                return (report, null);
            }

            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Per hop and end to end, up (events written at villages) and down (events written above on cases taken at villages).</summary>
    private static List<LatencySamples> Latencies(ScaleNetwork net, IReadOnlyDictionary<string, CaseRun> runs, long from, long to)
    {
        var upHop1 = new LatencySamples("up: village → township");
        var upHop2 = new LatencySamples("up: township → city");
        var upEnd = new LatencySamples("up: village → city (end to end)");
        var downHop1 = new LatencySamples("down: city → township");
        var downHop2 = new LatencySamples("down: township → village");
        var downEnd = new LatencySamples("down: city → village (end to end)");
        var a = net.Arrivals;
        var city = net.City.Id;
        foreach (var (key, origin, number, at) in a.AllWritten())
        {
            if (at < from || at > to || !runs.TryGetValue(number, out var run))
            {
                continue;
            }

            var intake = run.Intake;
            var township = intake.Level == NodeLevel.Village ? intake.Parent! : intake.Level == NodeLevel.Township ? intake : null;
            if (origin != city && township is not null)
            {
                // Up: written at the village (or at the township) of the case, on its way to the city.
                var atTownship = origin == township.Id ? at : a.ArrivedAt(township.Id, key);
                var atCity = a.ArrivedAt(city, key);
                if (origin == intake.Id && intake.Level == NodeLevel.Village)
                {
                    Add(upHop1, at, atTownship);
                    Add(upEnd, at, atCity);
                }

                Add(upHop2, atTownship, atCity);
            }

            if (intake.Level == NodeLevel.Village && origin != intake.Id)
            {
                // Down: written at the city or the township, on its way to the village that took the case.
                var atTownship = origin == township!.Id ? at : a.ArrivedAt(township.Id, key);
                var atVillage = a.ArrivedAt(intake.Id, key);
                if (origin == city)
                {
                    Add(downHop1, at, atTownship);
                    Add(downEnd, at, atVillage);
                }

                Add(downHop2, atTownship, atVillage);
            }
        }

        return [upHop1, upHop2, upEnd, downHop1, downHop2, downEnd];

        static void Add(LatencySamples s, long? from, long? to)
        {
            if (from is { } f && to is { } t)
            {
                s.Add(f, t);
            }
        }
    }

    /// <summary>
    /// A village offline for a simulated week: before the cut it routes up its share of cases that need a higher level; while
    /// cut off it takes <paramref name="cases"/> cases (village items handled through to the rating, the others taken and
    /// routed, waiting to go up) while the township and the city decide the earlier ones; then the link heals and the time until
    /// the city holds all it wrote and it holds all decided above is measured.
    /// </summary>
    private static async Task<CatchUpResult> CatchUpAsync(ScaleNetwork net, ScaleWorkload workload, int cases, ConcurrentDictionary<string, CaseRun> runs, Action<string> log, CancellationToken ct)
    {
        var (village, link) = net.Cuttable!.Value;
        var routedItems = Enumerable.Range(0, cases * 4).Select(_ => workload.NextItem(NodeLevel.Village)).Where(i => i.HandlingLevel != NodeLevel.Village).Take((int)Math.Round(cases * 0.4));
        var earlier = await Task.WhenAll(routedItems.Select(item => workload.RunAsync(village, item, ct, CaseStage.AtDecidingNode))).ConfigureAwait(false);
        log($"catch-up: {village.Id} routed {earlier.Length} cases up; cutting its link");

        link.Cut();
        var cutAt = Stopwatch.GetTimestamp();
        var taken = new List<string>();
        for (var i = 0; i < cases; i++)
        {
            var item = workload.NextItem(NodeLevel.Village);
            if (item.HandlingLevel == NodeLevel.Village)
            {
                taken.Add((await workload.RunAsync(village, item, ct).ConfigureAwait(false)).Number);
            }
            else
            {
                var (number, _) = await village.SubmitAsync(item.Code, "离线申请人", "370982202600000000").ConfigureAwait(false);
                await village.ActAsync(number, CaseEventKind.Routed, InProcessNode.Window,
                    new CaseEventData { TargetNode = village.Parent!.Id, TargetLevel = NodeLevel.Township }).ConfigureAwait(false);
                taken.Add(number);
            }
        }

        foreach (var run in await Task.WhenAll(earlier.Select(r => ScaleWorkload.ContinueAsync(r, ct, CaseStage.Decided))).ConfigureAwait(false))
        {
            runs[run.Number] = run;
        }

        foreach (var n in taken)
        {
            runs[n] = new CaseRun(n, net.Items[0], village, village);
        }

        var written = net.Arrivals.AllWritten().Where(w => w.At > cutAt).ToList();
        var up = written.Where(w => w.Origin == village.Id).Select(w => w.Key).ToList();
        var down = written.Where(w => w.Origin != village.Id && earlier.Any(e => e.Number == w.Case)).Select(w => w.Key).ToList();
        log($"catch-up: {village.Id} took {cases} cases offline ({up.Count} events to go up), {down.Count} events decided above wait to come down; healing");

        link.Heal();
        var healAt = Stopwatch.GetTimestamp();
        long contactAt;
        while (true)
        {
            contactAt = Stopwatch.GetTimestamp();
            try
            {
                await village.Runner.RunOnceAsync(ct).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
            {
                await Task.Delay(20, ct).ConfigureAwait(false); // its breaker is still open
            }
        }

        var city = net.City.Id;
        long? done = null;
        while (done is null)
        {
            var upAt = up.Select(k => net.Arrivals.ArrivedAt(city, k)).ToList();
            var downAt = down.Select(k => net.Arrivals.ArrivedAt(village.Id, k)).ToList();
            if (upAt.All(t => t is not null) && downAt.All(t => t is not null))
            {
                done = upAt.Concat(downAt).Max() ?? healAt;
            }
            else
            {
                await Task.Delay(10, ct).ConfigureAwait(false);
            }
        }

        var result = new CatchUpResult(village.Id, cases, up.Count, down.Count,
            Stopwatch.GetElapsedTime(contactAt, done.Value), Stopwatch.GetElapsedTime(healAt, done.Value));
        log($"catch-up: converged {result.ContactToConverged.TotalSeconds:F2} s after the first round got through, {result.HealToConverged.TotalSeconds:F2} s after the heal");
        return result;
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);

    private static TimeSpan CpuTime(ScaleNetwork net)
    {
        using var self = Process.GetCurrentProcess();
        return net.Processes.Aggregate(self.TotalProcessorTime, (sum, p) => sum + p.CpuTime());
    }
}
