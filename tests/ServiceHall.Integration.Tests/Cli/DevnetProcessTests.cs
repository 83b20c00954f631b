using System.Diagnostics;
using System.Text.Json;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

/// <summary>
/// Process level: the real CLI starts the real node programs (one city, 2 townships, 2 villages each) as
/// separate OS processes, detaches, and stops them again. Whatever happens, Dispose kills every node
/// process of the test's directory.
/// </summary>
[Trait("Category", "Process")]
public sealed class DevnetProcessTests : IAsyncDisposable
{
    private static readonly TimeSpan UpLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);
    private readonly CliTempDirectory _dir = new();

    public async ValueTask DisposeAsync()
    {
        await DevnetTeardown.KillAllAsync(_dir.Path);
        _dir.Dispose();
    }

    [Fact]
    public async Task DevnetUpDetach_DefaultTopology_SevenHealthyNodesThatDownStops()
    {
        var basePort = TestPorts.FreeRange(14);
        var data = _dir.Path;

        var up = await CliProcess.RunAsync(UpLimit, "devnet", "up", "--detach", "--data", data, "--base-port", $"{basePort}", "--timeout", "60");
        Assert.True(up.ExitCode == 0, up.ToString());

        // devnet.json lists the seven nodes, each a live node process of its own with its own store under DIR/<id>/.
        var manifest = DevnetManifest.TryLoad(data);
        Assert.NotNull(manifest);
        Assert.Equal(["city", "t01", "t02", "t01-v01", "t01-v02", "t02-v01", "t02-v02"], manifest.Nodes.Select(n => n.Id));
        Assert.Equal(7, manifest.Nodes.Select(n => n.Pid).Distinct().Count());
        foreach (var n in manifest.Nodes)
        {
            Assert.True(NodeProcesses.IsDevnetNode(n.Pid, data), $"{n.Id} (pid {n.Pid}) is not a running node process");
            Assert.StartsWith(Path.Combine(data, n.Id) + Path.DirectorySeparatorChar, n.Store, StringComparison.Ordinal);
        }

        // Each child reaches its parent through its own link proxy, hosted by a detached proxy process.
        Assert.NotNull(manifest.Proxy);
        Assert.Equal(["t01", "t01-v01", "t01-v02", "t02", "t02-v01", "t02-v02"], manifest.Proxy.Links.Keys.Order(StringComparer.Ordinal));
        Assert.Equal($"https://127.0.0.1:{manifest.Proxy.Links["t01-v02"]}", manifest.Nodes.Single(n => n.Id == "t01-v02").Upstream);
        Assert.True(NodeProcesses.IsAlive(manifest.Proxy.Pid));
        Assert.DoesNotContain(manifest.Proxy.Pid, manifest.Nodes.Select(n => n.Pid));

        // Every node serves (grpc.health.v1), as devnet status sees it.
        var status = await CliProcess.RunAsync(CallLimit, "devnet", "status", "--data", data, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using (var doc = JsonDocument.Parse(status.Stdout))
        {
            var nodes = doc.RootElement.GetProperty("nodes").EnumerateArray().ToList();
            Assert.Equal(7, nodes.Count);
            Assert.All(nodes, n => Assert.Equal("SERVING", n.GetProperty("health").GetString()));
            Assert.All(nodes, n => Assert.True(n.GetProperty("running").GetBoolean()));
        }

        // Each node tells its own id and level through `node status --json` (one CLI process at a time: seven at once,
        // each opening TLS with the operator profile, overran the call limit on a loaded two-core machine).
        var levels = new List<(string?, string?)>();
        foreach (var n in manifest.Nodes)
        {
            var r = await CliProcess.RunAsync(CallLimit, "node", "status", "--node", n.Url, "--json", "--profile", data);
            Assert.True(r.ExitCode == 0, r.ToString());
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal(n.Pid, doc.RootElement.GetProperty("pid").GetInt32());
            levels.Add((doc.RootElement.GetProperty("id").GetString(), doc.RootElement.GetProperty("level").GetString()));
        }

        Assert.Equal(manifest.Nodes.Select(n => ((string?)n.Id, (string?)n.Level)), levels);

        // The human-readable form names the same things.
        var table = await CliProcess.RunAsync(CallLimit, "node", "status", "--node", manifest.Nodes[3].Url, "--profile", data);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("t01-v01", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("village", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(manifest.Nodes[3].Store, table.Stdout, StringComparison.Ordinal);

        // The city holds the seeded catalogue and registers nodes (idempotently); a township refuses with its status code.
        var city = manifest.Nodes[0].Url;
        var items = await CliProcess.RunAsync(CallLimit, CliProcess.ProfileOf(data), "catalogue", "list", "--node", city, "--json");
        Assert.True(items.ExitCode == 0, items.ToString());
        using (var doc = JsonDocument.Parse(items.Stdout))
        {
            var all = doc.RootElement.GetProperty("items").EnumerateArray().ToList();
            Assert.NotEmpty(all);
            Assert.All(all, i => Assert.Contains(i.GetProperty("level").GetString(), new[] { "city", "township", "village" }));
        }

        var register = await CliProcess.RunAsync(CallLimit, "node", "register", "--node", city, "--id", "t01-v99", "--level", "village", "--parent", "t01", "--json", "--profile", data);
        Assert.True(register.ExitCode == 0, register.ToString());
        Assert.Contains("\"created\": true", register.Stdout, StringComparison.Ordinal);
        var again1 = await CliProcess.RunAsync(CallLimit, "node", "register", "--node", city, "--id", "t01-v99", "--level", "village", "--parent", "t01", "--json", "--profile", data);
        Assert.True(again1.ExitCode == 0, again1.ToString());
        Assert.Contains("\"created\": false", again1.Stdout, StringComparison.Ordinal);
        var atTownship = await CliProcess.RunAsync(CallLimit, "node", "register", "--node", manifest.Nodes[1].Url, "--id", "t01-v98", "--level", "village", "--parent", "t01", "--profile", data);
        Assert.Equal(1, atTownship.ExitCode);
        // The city administrator is a clerk of the city only: the township does not even know it.
        Assert.Contains("Unauthenticated", atTownship.Stderr, StringComparison.Ordinal);

        // A cut link fails the child's rounds; a healed one carries them again.
        var v02 = manifest.Nodes.Single(n => n.Id == "t01-v02").Url;
        var cut = await CliProcess.RunAsync(CallLimit, "devnet", "cut", "t01-v02", "--data", data);
        Assert.True(cut.ExitCode == 0, cut.ToString());
        Assert.Contains("cut t01-v02", cut.Stdout, StringComparison.Ordinal);
        var whileCut = await CliProcess.RunAsync(CallLimit, "sync", "now", "--node", v02, "--profile", data);
        Assert.NotEqual(0, whileCut.ExitCode);
        var heal = await CliProcess.RunAsync(CallLimit, "devnet", "heal", "t01-v02", "--data", data);
        Assert.True(heal.ExitCode == 0, heal.ToString());
        var healed = await PollAsync(() => CliProcess.RunAsync(CallLimit, "sync", "now", "--node", v02, "--profile", data), r => r.ExitCode == 0, TimeSpan.FromSeconds(45));
        Assert.True(healed.ExitCode == 0, healed.ToString());
        var unknown = await CliProcess.RunAsync(CallLimit, "devnet", "cut", "t09", "--data", data);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no link from t09", unknown.Stderr, StringComparison.Ordinal);

        // A second `up` on a running devnet refuses and starts nothing.
        var again = await CliProcess.RunAsync(CallLimit, "devnet", "up", "--detach", "--data", data, "--base-port", $"{TestPorts.FreeRange(14)}");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already running", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(7, NodeProcesses.FindDevnetNodes(data).Count);

        // down leaves no node process behind.
        var down = await CliProcess.RunAsync(CallLimit, "devnet", "down", "--data", data);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Empty(NodeProcesses.FindDevnetNodes(data));
        Assert.All(manifest.Nodes, n => Assert.False(NodeProcesses.IsAlive(n.Pid), $"{n.Id} (pid {n.Pid}) still alive"));
        Assert.False(NodeProcesses.IsAlive(manifest.Proxy.Pid), $"link proxy (pid {manifest.Proxy.Pid}) still alive");
        Assert.False(File.Exists(DevnetManifest.PathIn(data)));
    }

    /// <summary>Runs <paramref name="run"/> until <paramref name="done"/> or the bound; returns the last result.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> run, Func<T, bool> done, TimeSpan bound)
    {
        var start = TimeProvider.System.GetTimestamp();
        var last = await run();
        while (!done(last) && TimeProvider.System.GetElapsedTime(start) < bound)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            last = await run();
        }

        return last;
    }

    [Fact]
    public async Task DevnetUpForeground_Sigint_StopsEveryNodeAndExitsZero()
    {
        var data = _dir.Path;
        var psi = new ProcessStartInfo(NodeLauncher.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[] { CliProcess.CliDll, "devnet", "up", "--data", data, "--townships", "1", "--villages-per-township", "1", "--base-port", $"{TestPorts.FreeRange(6)}" })
        {
            psi.ArgumentList.Add(a);
        }

        using var cli = Process.Start(psi)!;
        try
        {
            var stderr = cli.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var upLimit = new CancellationTokenSource(UpLimit);
            var seen = new System.Text.StringBuilder();
            while (await cli.StandardOutput.ReadLineAsync(upLimit.Token) is { } line)
            {
                seen.AppendLine(line);
                if (line.Contains("Ctrl-C stops every node", StringComparison.Ordinal))
                {
                    break;
                }
            }

            Assert.True(NodeProcesses.FindDevnetNodes(data).Count == 3, $"expected 3 running nodes after:\n{seen}\n{(cli.HasExited ? await stderr : "")}");

            // What a terminal's Ctrl-C sends to the CLI.
            using (var kill = Process.Start("kill", ["-INT", $"{cli.Id}"]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var stopLimit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var rest = await cli.StandardOutput.ReadToEndAsync(stopLimit.Token);
            await cli.WaitForExitAsync(stopLimit.Token);

            Assert.True(cli.ExitCode == 0, $"exit {cli.ExitCode}\n{seen}{rest}\n{await stderr}");
            Assert.Contains("stopped 3 nodes", rest, StringComparison.Ordinal);
            Assert.Empty(NodeProcesses.FindDevnetNodes(data));
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill();
            }
        }
    }

    [Fact]
    public async Task DevnetUp_TownshipCannotOpenItsStore_FailsNamingNodeAndLogAndStopsTheOthers()
    {
        var data = _dir.Path;
        Directory.CreateDirectory(Path.Combine(data, "t01"));
        await File.WriteAllTextAsync(Path.Combine(data, "t01", "t01.db"), "this is not a database", TestContext.Current.CancellationToken);

        var up = await CliProcess.RunAsync(UpLimit, "devnet", "up", "--detach", "--data", data, "--townships", "1", "--villages-per-township", "1", "--base-port", $"{TestPorts.FreeRange(6)}");

        Assert.NotEqual(0, up.ExitCode);
        Assert.Contains("node t01 exited", up.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(data, "t01", "console.log"), up.Stderr, StringComparison.Ordinal);
        Assert.Empty(NodeProcesses.FindDevnetNodes(data));
        Assert.False(Directory.Exists(Path.Combine(data, "t01-v01")), "villages must not start when their township failed");
    }
}
