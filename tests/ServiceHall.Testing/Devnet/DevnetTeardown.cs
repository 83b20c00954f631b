using ServiceHall.Cli.Devnet;

using ServiceHall.Testing.Cli;

namespace ServiceHall.Testing.Devnet;

/// <summary>
/// Kills every process a test's devnet left running under its directory: the node programs (found by command
/// line, plus any listed in devnet.json) and the detached link proxy. Tests call it from DisposeAsync, so a
/// failed test leaves nothing behind for the next one.
/// </summary>
internal static class DevnetTeardown
{
    public static async Task KillAllAsync(string directory)
    {
        var pids = NodeProcesses.FindDevnetNodes(directory).ToList();
        try
        {
            pids.AddRange((DevnetManifest.TryLoad(directory)?.Nodes ?? []).Select(n => n.Pid).Where(p => NodeProcesses.IsDevnetNode(p, directory)));
        }
        catch (InvalidDataException)
        {
            // a half-written manifest: the scan above found the nodes anyway
        }

        // The detached link proxy process too (it writes DIR/proxy.json until it stops).
        if (DevnetProxyRecord.TryLoad(directory) is { } proxy && DevnetProxy.IsProcess(proxy.Pid, Path.GetFullPath(directory)))
        {
            pids.Add(proxy.Pid);
        }

        foreach (var pid in pids.Distinct())
        {
            NodeProcesses.ForceKill(pid);
        }

        await NodeProcesses.WaitGoneAsync(pids, TimeSpan.FromSeconds(5), TimeProvider.System);
    }
}
