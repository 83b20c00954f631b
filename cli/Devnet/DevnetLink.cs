using System.Net.Sockets;

namespace ServiceHall.Cli.Devnet;

/// <summary><c>devnet cut NODE</c> and <c>devnet heal NODE</c>: one command to the devnet's link proxies.</summary>
internal sealed class DevnetLink(TextWriter output, TextWriter error)
{
    /// <summary>Sends <paramref name="verb"/> (<c>cut</c> or <c>heal</c>) for <paramref name="node"/>. Returns the exit code.</summary>
    public async Task<int> RunAsync(string directory, string verb, string node, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        if (!DevnetManifest.LoadOrExplain(dir, error, out var manifest))
        {
            return ExitCodes.Failed;
        }

        if (manifest?.Proxy is not { } proxy)
        {
            await error.WriteLineAsync($"error: no devnet with link proxies in {dir}; start one with: servicehall devnet up --data {dir}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        string answer;
        try
        {
            answer = await LinkProxyHost.SendAsync(proxy.ControlPort, $"{verb} {node}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            await error.WriteLineAsync($"error: the link proxies of {dir} do not answer on 127.0.0.1:{proxy.ControlPort} ({ex.Message}); is the devnet running?").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        var ok = answer.StartsWith("ok", StringComparison.Ordinal);
        await (ok ? output : error).WriteLineAsync(ok ? answer[3..] : "error: " + answer["error ".Length..]).ConfigureAwait(false);
        return ok ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
