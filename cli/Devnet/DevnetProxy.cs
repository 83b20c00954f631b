using System.Diagnostics;
using System.Globalization;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// The link proxies of a detached devnet in their own process: the hidden <c>devnet proxy</c> command that hosts them,
/// and starting that process (<c>devnet up --detach</c>) and stopping it (<c>devnet down</c>, or a failed <c>up</c>).
/// </summary>
internal sealed class DevnetProxy(TimeProvider time, TextWriter output, TextWriter error)
{
    /// <summary>The hidden <c>devnet proxy</c> verb: hosts the link proxies of a detached devnet until SIGTERM/SIGINT.</summary>
    public async Task<int> RunAsync(string directory, IReadOnlyDictionary<string, int> links, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        using var stop = new SignalStop(cancellationToken);
        await using (var host = LinkProxyHost.Start(links))
        {
            host.ToRecord().Save(dir);
            await output.WriteLineAsync($"link proxies up: {string.Join(", ", host.Links.Select(l => $"{l.Key} {l.Value.Port}→{l.Value.TargetPort}"))}; control 127.0.0.1:{host.ControlPort}").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM from devnet down
            }
        }

        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
        return ExitCodes.Ok;
    }

    /// <summary>Starts the hidden <c>devnet proxy</c> process (its own session, like the nodes) and waits until it reports its ports.</summary>
    public async Task<DevnetProxyRecord?> StartProcessAsync(string dir, IReadOnlyDictionary<string, int> links, CancellationToken cancellationToken)
    {
        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
        var self = Environment.ProcessPath ?? "dotnet";
        List<string> command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(LinkProxyHost).Assembly.Location] : [self];
        command.AddRange(["devnet", "proxy", "--data", dir]);
        foreach (var (child, port) in links)
        {
            command.AddRange(["--link", string.Create(CultureInfo.InvariantCulture, $"{child}={port}")]);
        }

        using var process = Process.Start(NodeLauncher.CreateStartInfo(Path.Combine(dir, "proxy.log"), dir, detach: true, command))
            ?? throw new InvalidOperationException("could not start the link proxy process");
        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < TimeSpan.FromSeconds(30))
        {
            if (DevnetProxyRecord.TryLoad(dir) is { } record && record.Pid == process.Id)
            {
                return record;
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        await error.WriteLineAsync($"error: the link proxy process did not start; see {Path.Combine(dir, "proxy.log")}{LogTail.Of(Path.Combine(dir, "proxy.log"))}").ConfigureAwait(false);
        if (!process.HasExited)
        {
            NodeProcesses.ForceKill(process.Id);
        }

        return null;
    }

    /// <summary>Stops a detached proxy process of this devnet (never the CLI itself, which hosts them in the foreground).</summary>
    public async Task StopProcessAsync(DevnetProxyRecord? proxy, string dir)
    {
        if (proxy is { } p && p.Pid != Environment.ProcessId && IsProcess(p.Pid, dir))
        {
            var outcome = await NodeProcesses.StopAsync([p.Pid], DevnetDown.DefaultStopGrace, time).ConfigureAwait(false);
            await output.WriteLineAsync($"link proxies (pid {p.Pid}): {outcome[p.Pid].Describe()}").ConfigureAwait(false);
        }

        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
    }

    internal static bool IsProcess(int pid, string dir)
    {
        var args = NodeProcesses.CommandLine(pid);
        var at = args.ToList().IndexOf("--data");
        return NodeProcesses.IsAlive(pid) && args.Contains("proxy") && at >= 0 && at + 1 < args.Count && Path.GetFullPath(args[at + 1]) == dir;
    }
}
