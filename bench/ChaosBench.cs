using System.Diagnostics;
using System.Globalization;
using ServiceHall.Testing.Chaos;

namespace ServiceHall.Bench;

/// <summary>
/// Chaos soak: a devnet of real node programs (city, 2 townships, 4 villages, each an OS process on loopback) with a
/// link proxy per child → parent link; for <c>--minutes</c> it cuts random links and SIGKILLs random villages and
/// townships mid-sync (restarting them on the same store) while cases are submitted at every village, then heals and
/// measures the time until every acknowledged case is held exactly once, in one state, by every entitled node.
/// Same orchestration as the chaos test (<see cref="ChaosRun"/>). Bounded: the chaos stops after the given minutes,
/// convergence is given at most <see cref="ConvergeBound"/>, and every process it started is killed on the way out.
/// </summary>
internal static class ChaosBench
{
    /// <summary>How long the network may take to converge after the final heal before the soak fails.</summary>
    public static readonly TimeSpan ConvergeBound = TimeSpan.FromSeconds(120);

    // The check reads each node's case list (at most 1000 cases); 4 villages × 250 keeps the city's list complete.
    private const int CasesPerVillage = 250;

    /// <summary>Runs the soak; exit code 0 only if nothing was lost or doubled and the network converged in time.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = BenchArgs.Double(args, "--minutes", 2);
        var seed = BenchArgs.Int(args, "--seed", Random.Shared.Next());
        if (minutes is <= 0 or > 24 * 60)
        {
            Console.Error.WriteLine("--minutes must be more than 0 and at most 1440");
            return 2;
        }

        var duration = TimeSpan.FromMinutes(minutes);
        // Spread each village's cases over the whole soak: one every 300 ms at most, 250 at most.
        var interval = TimeSpan.FromMilliseconds(Math.Max(300, duration.TotalMilliseconds / CasesPerVillage));
        var options = new ChaosOptions
        {
            Seed = seed,
            Duration = duration,
            CasesPerVillage = CasesPerVillage,
            SubmitInterval = interval,
            ConvergeBound = ConvergeBound,
            Log = line => Console.WriteLine(Inv($"  [{TimeProvider.System.GetUtcNow():HH:mm:ss}] {line}")),
        };

        Console.WriteLine(Inv($"chaos soak: seed {seed}, {minutes:0.##} min of chaos, a case every {interval.TotalMilliseconds:0} ms per village (at most {CasesPerVillage})"));
        Console.WriteLine("nodes run as processes: city, 2 townships, 4 villages (real node programs on 127.0.0.1), each child reaching its parent "
            + "through a TCP link proxy; rounds cut a random link, SIGKILL a random village or township mid-sync, restart it on the same store, heal");

        // Hard bound on the whole run: start-up, the chaos (plus the last round), convergence, with room to spare.
        using var bound = new CancellationTokenSource(duration + ConvergeBound + TimeSpan.FromMinutes(5));
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            bound.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var run = new ChaosRun(options);
        var total = Stopwatch.StartNew();
        try
        {
            var r = await run.RunAsync(bound.Token);
            var ok = r.Lost == 0 && r.Doubled == 0 && r.Converged;
            Console.WriteLine();
            Console.WriteLine(Inv($"seed               {r.Seed}"));
            Console.WriteLine(Inv($"cases submitted    {r.Submitted}"));
            Console.WriteLine(Inv($"cuts               {r.Cuts}"));
            Console.WriteLine(Inv($"kills (SIGKILL)    {r.Kills}"));
            Console.WriteLine(Inv($"lost               {r.Lost}"));
            Console.WriteLine(Inv($"doubled            {r.Doubled}"));
            Console.WriteLine(Inv($"misplaced          {r.Misplaced}"));
            Console.WriteLine(Inv($"diverged state     {r.Diverged}"));
            Console.WriteLine(Inv($"start and chaos    {r.StartAndChaos.TotalSeconds:0.0} s"));
            Console.WriteLine(r.Converged
                ? Inv($"converged          {r.ConvergeTime.TotalSeconds:0.0} s after the final heal")
                : Inv($"converged          NO: not within {ConvergeBound.TotalSeconds:0} s of the final heal"));
            Console.WriteLine(Inv($"total              {total.Elapsed.TotalSeconds:0.0} s"));
            if (!ok)
            {
                run.KeepData = true;
                Console.WriteLine(Inv($"FAILED ({r.Problems.Count} problems; node logs kept in {run.Directory}), e.g.:"));
                foreach (var p in r.Problems.Take(20))
                {
                    Console.WriteLine("  " + p);
                }
            }

            return ok ? 0 : 1;
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or InvalidOperationException or Grpc.Core.RpcException)
        {
            run.KeepData = true;
            Console.Error.WriteLine(Inv($"chaos soak stopped after {total.Elapsed.TotalSeconds:0.0} s: {ex.Message} (node logs kept in {run.Directory})"));
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            await run.DisposeAsync(); // kills every node process and closes every link proxy
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
