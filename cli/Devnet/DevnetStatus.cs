using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;

namespace ServiceHall.Cli.Devnet;

/// <summary><c>devnet status</c>: process and <c>grpc.health.v1</c> state of every node of a devnet.</summary>
internal sealed class DevnetStatus(TimeProvider time, TextWriter error)
{
    /// <summary>One node's state as <c>devnet status</c> reports it.</summary>
    /// <param name="Id">Node id.</param>
    /// <param name="Level">Level.</param>
    /// <param name="Url">Listen URL.</param>
    /// <param name="Pid">Process id from the manifest.</param>
    /// <param name="Running">True if that process is alive and is this devnet's node program.</param>
    /// <param name="Health">grpc.health.v1 state, or why it could not be checked.</param>
    /// <param name="WebUrl">URL of the node's web front desk, if the manifest lists one.</param>
    internal sealed record NodeHealth(string Id, string Level, string Url, int Pid, bool Running, string Health, string? WebUrl);

    /// <summary>Each node's process and health. Exit 0 only if every node serves.</summary>
    public async Task<int> RunAsync(string directory, bool json, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        if (!DevnetManifest.LoadOrExplain(dir, error, out var manifest))
        {
            return ExitCodes.Failed;
        }

        if (manifest is null)
        {
            await error.WriteLineAsync($"error: no devnet in {dir} (no {DevnetManifest.FileName}); start one with: servicehall devnet up --data {dir}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        DevnetSecurity.UseProfileOf(dir);
        var states = await Task.WhenAll(manifest.Nodes.Select(async n =>
        {
            var running = NodeProcesses.IsDevnetNode(n.Pid, dir);
            var health = "-";
            if (running)
            {
                using var channel = NodeChannel.Open(new Uri(n.Url));
                health = await HealthProbe.CheckAsync(channel, time, cancellationToken).ConfigureAwait(false);
            }

            return new NodeHealth(n.Id, n.Level, n.Url, n.Pid, running, health, n.WebUrl);
        })).ConfigureAwait(false);

        if (json)
        {
            JsonOutput.Write(new { nodes = states });
        }
        else
        {
            var table = Tables.Create("id", "level", "url", "web", "pid", "process", "health");
            foreach (var s in states)
            {
                Tables.Row(table, s.Id, s.Level, s.Url, s.WebUrl ?? "-", Tables.Num(s.Pid), s.Running ? "running" : "gone", s.Health);
            }

            Tables.Write(table);
        }

        return states.All(s => s.Running && s.Health == HealthProbe.Serving) ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
