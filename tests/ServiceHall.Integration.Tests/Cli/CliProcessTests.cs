using System.Net;
using System.Net.Sockets;

namespace ServiceHall.Integration.Tests.Cli;

/// <summary>The real <c>servicehall</c> program, run as a process, on failures an operator meets first.</summary>
[Trait("Category", "Process")]
public sealed class CliProcessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task NodeStatus_NothingListening_OneLineNamingUrlAndNonZeroExit()
    {
        var url = $"http://127.0.0.1:{TestPorts.Unused()}";

        var result = await CliProcess.RunAsync(Limit, "node", "status", "--node", url);

        Assert.Equal(3, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"cannot reach node at {url}/", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task NodeStatus_HttpsWithoutAnOperatorProfile_OneErrorLineNoStackTrace()
    {
        var url = $"https://127.0.0.1:{TestPorts.Unused()}";

        var result = await CliProcess.RunAsync(Limit, "node", "status", "--node", url, "--profile", _dir.Path);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: https needs an operator profile", line, StringComparison.Ordinal);
        Assert.Contains("tls-profile.json", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task SyncNow_NothingListening_NonZeroExitNamingUrl()
    {
        var url = $"http://127.0.0.1:{TestPorts.Unused()}";

        var result = await CliProcess.RunAsync(Limit, "sync", "now", "--node", url, "--json");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(url, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevnetUp_PortTaken_RefusesNamingPortAndNodeWithoutStartingAnything()
    {
        var basePort = TestPorts.FreeRange(14);
        using var squatter = new TcpListener(IPAddress.Loopback, basePort + 3);
        squatter.Start();

        var result = await CliProcess.RunAsync(Limit, "devnet", "up", "--detach", "--data", _dir.Path, "--base-port", $"{basePort}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"port {basePort + 3}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("t01-v01", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "devnet.json")));
        Assert.Empty(ServiceHall.Cli.Devnet.NodeProcesses.FindDevnetNodes(_dir.Path));
    }

    [Fact]
    public async Task DevnetUp_NodeBinWithoutPrograms_SaysWhatIsMissing()
    {
        var env = new Dictionary<string, string?> { ["SERVICEHALL_NODE_BIN"] = _dir.Path };

        var result = await CliProcess.RunAsync(Limit, env, "devnet", "up", "--detach", "--data", Path.Combine(_dir.Path, "dn"), "--base-port", $"{TestPorts.FreeRange(14)}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SERVICEHALL_NODE_BIN", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("servicehall-city-node.dll", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevnetStatus_NoDevnet_NonZeroWithHowToStartOne()
    {
        var result = await CliProcess.RunAsync(Limit, "devnet", "status", "--data", _dir.Path);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("devnet up", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevnetDown_NothingRunning_SaysSoAndSucceeds()
    {
        var result = await CliProcess.RunAsync(Limit, "devnet", "down", "--data", _dir.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no devnet node is running", result.Stdout, StringComparison.Ordinal);
    }
}
