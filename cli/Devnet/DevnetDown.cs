using ServiceHall.Cli.Output;

namespace ServiceHall.Cli.Devnet;

/// <summary><c>devnet down</c>: stops every node of a devnet and its detached link proxies; stores and logs are kept.</summary>
internal sealed class DevnetDown(TimeProvider time, TextWriter output, TextWriter error)
{
    /// <summary>How long <c>down</c> (and the foreground stop) waits after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>Stops every node of the devnet in <paramref name="directory"/>. Returns the exit code.</summary>
    public async Task<int> RunAsync(string directory, TimeSpan grace)
    {
        var dir = Path.GetFullPath(directory);
        // An unreadable manifest is reported and the /proc scan below still finds the nodes.
        _ = DevnetManifest.LoadOrExplain(dir, error, out var manifest);

        // The manifest names the nodes; the /proc scan also catches any whose pid the manifest lacks
        // (a CLI killed mid-start) — a node process of this directory is never left behind.
        var byPid = new Dictionary<int, string>();
        foreach (var n in manifest?.Nodes ?? [])
        {
            if (NodeProcesses.IsDevnetNode(n.Pid, dir))
            {
                byPid[n.Pid] = n.Id;
            }
        }

        foreach (var pid in NodeProcesses.FindDevnetNodes(dir))
        {
            byPid.TryAdd(pid, Path.GetFileName(NodeProcesses.NodeDataDirectory(NodeProcesses.CommandLine(pid)) ?? "?"));
        }

        var proxy = manifest?.Proxy ?? DevnetProxyRecord.TryLoad(dir);
        await new DevnetProxy(time, output, error).StopProcessAsync(proxy, dir).ConfigureAwait(false);
        if (byPid.Count == 0)
        {
            await output.WriteLineAsync($"no devnet node is running in {dir}").ConfigureAwait(false);
            DevnetManifest.Delete(dir);
            return ExitCodes.Ok;
        }

        var outcome = await NodeProcesses.StopAsync(byPid.Keys, grace, time).ConfigureAwait(false);
        var table = Tables.Create("id", "pid", "stopped");
        foreach (var (pid, id) in byPid.OrderBy(kv => kv.Value, StringComparer.Ordinal))
        {
            Tables.Row(table, id, Tables.Num(pid), outcome[pid].Describe());
        }

        Tables.Write(table);
        var left = NodeProcesses.FindDevnetNodes(dir);
        if (left.Count > 0)
        {
            await error.WriteLineAsync($"error: node processes still running in {dir}: {string.Join(", ", left)}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        DevnetManifest.Delete(dir);
        await output.WriteLineAsync($"devnet in {dir} stopped ({byPid.Count} nodes); stores and logs are kept.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
