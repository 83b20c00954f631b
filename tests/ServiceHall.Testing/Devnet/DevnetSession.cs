using ServiceHall.Cli.Devnet;

using ServiceHall.Testing.Cli;

namespace ServiceHall.Testing.Devnet;

/// <summary>
/// A detached devnet of real node processes in a fresh temp directory, started with the real <c>servicehall devnet up</c>
/// on free ports; DisposeAsync kills every process of that directory (nodes, restarted nodes, the link proxy).
/// Shared by the process-level case tests and the browser tests.
/// </summary>
internal sealed class DevnetSession : IAsyncDisposable
{
    public static readonly TimeSpan UpLimit = TimeSpan.FromSeconds(150);

    private readonly CliTempDirectory _dir = new();
    private DevnetManifest? _net;

    public string Directory => _dir.Path;

    public DevnetManifest Net => _net ?? throw new InvalidOperationException("The devnet is not up.");

    /// <summary>
    /// Runs <c>devnet up --detach</c> with the given shape options (and <paramref name="extra"/> ones) on 2 free ports per
    /// node; returns its output (exit 0 asserted).
    /// </summary>
    public async Task<CliResult> UpAsync(int townships, int villagesPerTownship, IReadOnlyDictionary<string, string?>? environment = null, params string[] extra)
    {
        var nodes = 1 + townships + (townships * villagesPerTownship);
        var up = await CliProcess.RunAsync(UpLimit, environment, ["devnet", "up", "--detach", "--data", _dir.Path,
            "--townships", $"{townships}", "--villages-per-township", $"{villagesPerTownship}",
            "--base-port", $"{TestPorts.FreeRange(2 * nodes)}", "--timeout", "60", .. extra]);
        Assert.True(up.ExitCode == 0, up.ToString());
        _net = DevnetManifest.TryLoad(_dir.Path);
        Assert.NotNull(_net);
        return up;
    }

    /// <summary>Runs the CLI signed in through this devnet's clerk profile (<c>clerks.json</c> that <c>devnet up</c> wrote here).</summary>
    public Task<CliResult> CliAsync(TimeSpan timeout, params string[] args) =>
        CliProcess.RunAsync(timeout, new Dictionary<string, string?> { ["SERVICEHALL_PROFILE"] = _dir.Path }, args);

    /// <summary>The gRPC URL of a node.</summary>
    public string Url(string id) => Net.Nodes.Single(x => x.Id == id).Url;

    public async ValueTask DisposeAsync()
    {
        await DevnetTeardown.KillAllAsync(_dir.Path);
        _dir.Dispose();
    }
}
