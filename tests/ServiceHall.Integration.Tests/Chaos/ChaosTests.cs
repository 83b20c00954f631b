using System.Globalization;
using ServiceHall.Testing.Chaos;

namespace ServiceHall.Integration.Tests.Chaos;

/// <summary>
/// BRIEF "What must hold" 1 and 5 at process level, through <see cref="ChaosRun"/> (shared with the bench's chaos
/// soak): real node programs, SIGKILLed mid-sync and restarted on the same store, links cut and healed through the
/// devnet link proxy, while cases are submitted at every village. Afterwards every case the run saw acknowledged is
/// held exactly once, with the same derived state, by every node entitled to it (its village, its township, the city)
/// and by no other.
/// </summary>
[Trait("Category", "Process")]
public sealed class ChaosTests
{
    // A bound, not a timing: a quiet 2-core machine runs it in about 3 minutes; at load 30+ (shared machine) devnet
    // start alone took 53 s and the whole run passed 240 s.
    [Fact(Timeout = 420_000)]
    public async Task Devnet_KillsAndCutsWhileSubmitting_EveryCaseOnceAtEveryEntitledNode()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"chaos seed {seed} (re-run with CHAOS_SEED={seed})");

        // 12 rounds (every third kills a township); at most 150 answered cases per village, one every ~300 ms.
        await using var run = new ChaosRun(new ChaosOptions { Seed = seed, Rounds = 12, Log = line => output?.WriteLine(line) });
        ChaosResult result;
        try
        {
            result = await run.RunAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            run.KeepData = true; // the failure names a node's console.log: it must still be there to read
            throw;
        }

        run.KeepData = !result.Converged;
        output?.WriteLine(
            $"seed {seed}: {result.Submitted} cases, {result.Kills} kills, {result.Cuts} cuts, start and chaos {result.StartAndChaos.TotalSeconds:0.0} s, "
            + $"converged {result.ConvergeTime.TotalSeconds:0.0} s after the last heal");

        Assert.True(result.Kills >= 10);
        Assert.True(result.Submitted >= 40, $"only {result.Submitted} cases were submitted");
        Assert.True(result.Converged, $"seed {seed}: lost {result.Lost}, doubled {result.Doubled}, misplaced {result.Misplaced}, diverged {result.Diverged}; "
            + $"{result.Problems.Count} problems, e.g.\n" + string.Join('\n', result.Problems.Take(20)));
    }
}
