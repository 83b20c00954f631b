using System.Globalization;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>Random writes at random nodes, random sync order, random link drops; then every node must hold exactly its part.</summary>
public sealed class RandomisedConvergenceTests
{
    [Fact(Timeout = 60_000)]
    public async Task Sync_RandomWritesOrderAndLinkDrops_EveryNodeHoldsExactlyItsPart()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SERVICEHALL_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var message = $"randomised convergence seed {seed} (replay: SERVICEHALL_SEED={seed})";
        Console.WriteLine(message);
        TestContext.Current.SendDiagnosticMessage(message);
        var rng = new Random(seed);
        await using var net = await Network.CreateAsync(new SyncOptions { BatchRows = 7, PushWindow = 3 });
        var nodes = net.All.ToList();
        var homes = Enumerable.Range(0, 40).ToDictionary(i => $"k{i:D2}", _ => Network.ScopeOf(nodes[rng.Next(nodes.Count)].Id));
        var versions = new Dictionary<string, (long Hlc, string Origin, string? Row)>();
        var cuts = 0;

        for (var op = 0; op < 400; op++)
        {
            net.Time.Advance(TimeSpan.FromMilliseconds(rng.Next(0, 3)));
            var r = rng.NextDouble();
            if (r < 0.6)
            {
                var key = $"k{rng.Next(homes.Count):D2}";
                var home = homes[key];
                var writers = nodes.Where(n => Scope.Contains(n.Store.NodeScope!, home)).ToList();
                var writer = writers[rng.Next(writers.Count)];
                string? row = null;
                if (rng.NextDouble() < 0.15)
                {
                    if (!writer.Delete(TestSchema.Notes, key))
                    {
                        continue; // the writer never held the row: nothing to delete
                    }
                }
                else
                {
                    var body = $"{writer.Id}#{op}";
                    writer.Write(key, home, body, op);
                    row = $"{key}|{home}|{body}|{op}";
                }

                var v = writer.Query($"SELECT hlc, origin FROM _sync_log WHERE tbl = 'notes' AND pk = '{key}'").Single().Split('|');
                var version = (long.Parse(v[0], CultureInfo.InvariantCulture), v[1], row);
                if (!versions.TryGetValue(key, out var best) || HybridLogicalClock.Compare(version.Item1, version.Item2, best.Hlc, best.Origin) > 0)
                {
                    versions[key] = version;
                }
            }
            else if (r < 0.68)
            {
                net.City.WriteGlobal($"g{rng.Next(10)}", $"op{op}");
            }
            else
            {
                var node = nodes[1 + rng.Next(nodes.Count - 1)];
                var cut = rng.NextDouble() < 0.3;
                if (cut)
                {
                    node.Faults.CutNext(rng.Next(2) == 0 ? "Pull" : "Push", rng.Next(0, 400));
                }

                try
                {
                    await node.SyncAsync();
                }
                catch (Exception) when (cut)
                {
                    cuts++;
                }

                node.Faults.Disarm();
            }
        }

        await net.ConvergeAsync();
        var quiet = 0;
        foreach (var n in net.Townships.Concat(net.Villages))
        {
            var round = await n.SyncAsync();
            quiet += round.Pushed + round.Pulled;
        }

        var expected = versions.Where(kv => kv.Value.Row is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Scope: homes[kv.Key], Row: kv.Value.Row!)).ToList();
        foreach (var n in nodes)
        {
            var entitled = expected.Where(e => Scope.Contains(n.Store.NodeScope!, e.Scope)).Select(e => e.Row).ToList();
            Assert.True(entitled.SequenceEqual(n.Notes()), $"{message}: node {n.Id} holds [{string.Join(", ", n.Notes())}], expected [{string.Join(", ", entitled)}]");
            Assert.Equal(net.City.Globals(), n.Globals());
            Assert.Equal(0, new SyncStatusReader(n.Store, hasParent: n != net.City).PendingUpstream());
        }

        Assert.True(quiet == 0, $"{message}: a further round still moved {quiet} changes");
        Console.WriteLine($"{message}: {versions.Count} keys, {cuts} link drops");
    }
}
