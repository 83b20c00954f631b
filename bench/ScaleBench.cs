using System.Globalization;
using ServiceHall.Testing.Scale;

namespace ServiceHall.Bench;

/// <summary>
/// <c>bench scale</c>: the whole city network on one machine (see <see cref="ScaleRun"/>); prints throughput, propagation
/// latency per hop, a week's catch-up, peak memory and CPU per 1,000 cases. Exit 1 if the network did not converge or a case
/// was lost.
/// </summary>
internal static class ScaleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new ScaleOptions
        {
            Townships = BenchArgs.Int(args, "--townships", 21),
            Villages = BenchArgs.Int(args, "--villages", 104),
            Cases = BenchArgs.Int(args, "--cases", 360),
            Rate = BenchArgs.Double(args, "--rate", 2.0),
            CatchUpCases = BenchArgs.Int(args, "--catch-up-cases", 185),
            ProcessNodes = BenchArgs.Int(args, "--process-nodes", 1) != 0,
            NativeVillages = BenchArgs.Int(args, "--native-villages", 1) != 0,
            Seed = BenchArgs.Int(args, "--seed", 20261127),
            // The engine as it was before the notice stream, for a before/after: --watch 0 --debounce-ms 2000.
            NodeArgs = [$"--Sync:Watch={BenchArgs.Int(args, "--watch", 1) != 0}",
                string.Create(CultureInfo.InvariantCulture, $"--Sync:Debounce={TimeSpan.FromMilliseconds(BenchArgs.Int(args, "--debounce-ms", 200))}")],
            Log = line => Console.WriteLine($"[{TimeProvider.System.GetUtcNow():HH:mm:ss}] {line}"),
        };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scale: 1 city, {options.Townships} townships, {options.Villages} villages; {options.Cases} cases at {options.Rate} per second; catch-up of {options.CatchUpCases} cases; seed {options.Seed}; nodes {string.Join(' ', options.NodeArgs)}"));
        Console.WriteLine("nodes run in this process as real node hosts (NodeProgram.Build: Kestrel on 127.0.0.1, dynamic ports, one SQLite store each)"
            + (!options.ProcessNodes ? ""
                : options.NativeVillages
                    ? ", except one township and three villages run as node programs (own OS processes): a village on the JIT, a native village (Native AOT, as a station PC runs it) and a native village that also serves its web front desk, where a clerk browses the queue, a case and the catalogue every 3 s"
                    : ", except one township and two villages run as node programs (own OS processes; one of the villages also serves its web front desk, where a clerk browses the queue, a case and the catalogue every 3 s)"));
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {Load()}");
        var r = await ScaleRun.RunAsync(options, stop.Token);
        Print(r);
        Console.WriteLine($"load average at the end {Load()}");
        return r.Final.Converged && r.AfterLoad.Converged && r.Failures.Count == 0 && r.CityStatistics.SameFigures ? 0 : 1;
    }

    private static void Print(ScaleResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"network: 1 city, {r.Topology.Townships} townships, {r.Topology.Villages} villages ({r.Topology.Processes} as node programs); up and holding the catalogue in {r.StartUp.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(inv, $"load: {r.CasesCompleted} of {r.CasesStarted} cases taken, routed, reviewed, decided, delivered and rated in {r.LoadPhase.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(inv, $"  offered {r.OfferedRate:F2} cases/s, sustained {r.SustainedRate:F2} cases/s"));
        foreach (var f in r.Failures)
        {
            Console.WriteLine("  FAILED: " + f);
        }

        Console.WriteLine(string.Create(inv, $"  converged {(r.ConvergedAfterLoad is { } c ? $"{c.TotalSeconds:F1} s" : "NOT")} after the last rating: {r.AfterLoad}"));
        Console.WriteLine("propagation latency (ms)                 samples      p50      p95      p99      max");
        foreach (var s in r.Latency)
        {
            Console.WriteLine(string.Create(inv, $"  {s.Name,-38} {s.Count,7} {s.Percentile(50),8:F0} {s.Percentile(95),8:F0} {s.Percentile(99),8:F0} {s.Max,8:F0}"));
        }

        if (r.CatchUp is { } k)
        {
            Console.WriteLine(string.Create(inv, $"catch-up: {k.Village} offline for {k.Cases} cases ({k.UpEvents} events up, {k.DownEvents} down): converged {k.ContactToConverged.TotalSeconds:F2} s after its first round got through, {k.HealToConverged.TotalSeconds:F2} s after the link healed"));
        }

        Console.WriteLine(string.Create(inv, $"CPU: {r.CpuSecondsPerThousandCases:F1} CPU-seconds per 1,000 cases (all nodes, driver included)"));
        foreach (var (what, bytes) in r.PeakMemory)
        {
            Console.WriteLine(string.Create(inv, $"peak memory (VmHWM): {bytes / (1024.0 * 1024):F1} MiB = {bytes / 1e6:F1} MB  {what}"));
        }

        Console.WriteLine($"final check: {(r.Final.Converged ? "converged" : "NOT converged")} {r.Final}");
        var st = r.CityStatistics;
        Console.WriteLine(string.Create(inv, $"city dashboard over {st.Cases} cases, median of 5: every case derived (as before) {st.Derived.TotalMilliseconds:F1} ms, as StatisticsService computes it now (settled cases summed in SQL, live ones derived) {st.Aggregated.TotalMilliseconds:F1} ms; same figures: {(st.SameFigures ? "yes" : "NO")}"));
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
