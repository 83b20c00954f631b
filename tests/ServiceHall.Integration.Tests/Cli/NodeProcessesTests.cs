using System.Diagnostics;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

[Trait("Category", "Process")]
public sealed class NodeProcessesTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();
    private readonly List<Process> _started = [];

    public void Dispose()
    {
        foreach (var p in _started)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            p.Dispose();
        }

        _dir.Dispose();
    }

    private Process Start(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        _started.Add(p);
        return p;
    }

    [Fact]
    public void NodeDataDirectory_NodeCommandLine_ReturnsFullDataDirectory()
    {
        string[] args = ["/usr/bin/dotnet", "/src/village-node/bin/Debug/net10.0/servicehall-village-node.dll", "--id", "t01-v01",
            "--listen", "http://127.0.0.1:5103", "--data", "/tmp/dn/t01-v01"];

        Assert.Equal("/tmp/dn/t01-v01", NodeProcesses.NodeDataDirectory(args));
    }

    [Fact]
    public void NodeDataDirectory_NativeVillageCommandLine_ReturnsFullDataDirectory()
    {
        string[] args = ["/src/village-node/bin/Release/net10.0/linux-x64/publish/servicehall-village-node", "--id", "t01-v01",
            "--listen", "https://127.0.0.1:5103", "--data", "dn/t01-v01"];

        Assert.Equal(Path.GetFullPath("dn/t01-v01"), NodeProcesses.NodeDataDirectory(args));
    }

    [Fact]
    public void NodeDataDirectory_OtherProgram_Null()
    {
        Assert.Null(NodeProcesses.NodeDataDirectory(["/usr/bin/dotnet", "other.dll", "--data", "/tmp/dn/t01"]));
        Assert.Null(NodeProcesses.NodeDataDirectory(["dotnet", "servicehall-city-node.dll", "--id", "city"]));
        Assert.Null(NodeProcesses.NodeDataDirectory(["/bin/sh", "-c", "exec \"$@\"", "servicehall-devnet", "--data", "/tmp/dn/t01"]));
    }

    [Fact]
    public void IsAlive_OwnProcess_True()
    {
        Assert.True(NodeProcesses.IsAlive(Environment.ProcessId));
    }

    [Fact]
    public async Task IsAlive_ExitedChild_False()
    {
        var p = Start("exit 0");
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.False(NodeProcesses.IsAlive(p.Id));
    }

    [Fact]
    public async Task FindDevnetNodes_ProcessWithNodeCommandLineUnderDir_FoundOthersNot()
    {
        // sh keeps its own argv (the trailing ':' stops it from exec'ing sleep), so its command line looks like a node's.
        var inside = Start("sleep 30; :", "servicehall-village-node.dll", "--data", Path.Combine(_dir.Path, "t01-v01"));
        var outside = Start("sleep 30; :", "servicehall-village-node.dll", "--data", _dir.Path + "-other/t01-v01");
        await WaitForCommandLineAsync(inside.Id);
        await WaitForCommandLineAsync(outside.Id);

        var found = NodeProcesses.FindDevnetNodes(_dir.Path);

        Assert.Contains(inside.Id, found);
        Assert.DoesNotContain(outside.Id, found);
        Assert.True(NodeProcesses.IsDevnetNode(inside.Id, _dir.Path));
        Assert.False(NodeProcesses.IsDevnetNode(Environment.ProcessId, _dir.Path));
    }

    [Fact]
    public async Task StopAsync_ProcessHonouringSigterm_Terminated()
    {
        var p = Start("exec sleep 30");

        var outcome = await NodeProcesses.StopAsync([p.Id], TimeSpan.FromSeconds(5), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(StopOutcome.Terminated, outcome[p.Id]);
        Assert.False(NodeProcesses.IsAlive(p.Id));
    }

    [Fact]
    public async Task StopAsync_ProcessIgnoringSigterm_KilledAfterGrace()
    {
        var p = Start("trap '' TERM; while :; do sleep 0.1; done");
        await WaitForCommandLineAsync(p.Id);
        await Task.Delay(200, TestContext.Current.CancellationToken); // let the trap be installed

        var clock = Stopwatch.StartNew();
        var outcome = await NodeProcesses.StopAsync([p.Id], TimeSpan.FromMilliseconds(700), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(StopOutcome.Killed, outcome[p.Id]);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(700), $"killed after {clock.Elapsed}, before the grace period");
        Assert.False(NodeProcesses.IsAlive(p.Id));
    }

    [Fact]
    public async Task StopAsync_GonePid_AlreadyGone()
    {
        var p = Start("exit 0");
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);

        var outcome = await NodeProcesses.StopAsync([p.Id], TimeSpan.FromSeconds(1), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(StopOutcome.AlreadyGone, outcome[p.Id]);
    }

    private static async Task WaitForCommandLineAsync(int pid)
    {
        for (var i = 0; i < 50 && NodeProcesses.CommandLine(pid).Count == 0; i++)
        {
            await Task.Delay(20);
        }
    }
}
