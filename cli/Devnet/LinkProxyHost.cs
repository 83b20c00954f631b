using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ServiceHall.Cli.Output;

namespace ServiceHall.Cli.Devnet;

/// <summary>Where a devnet's link proxies run, as recorded in devnet.json (and in <c>DIR/proxy.json</c> by the proxy process).</summary>
/// <param name="Pid">Process hosting the proxies: the CLI itself in the foreground, a <c>devnet proxy</c> process with <c>--detach</c>.</param>
/// <param name="ControlPort">Port on 127.0.0.1 taking <c>cut NODE</c>, <c>heal NODE</c> and <c>status</c> lines.</param>
/// <param name="Links">Child node id → the proxy port its upstream URL points at.</param>
internal sealed record DevnetProxyRecord(int Pid, int ControlPort, IReadOnlyDictionary<string, int> Links)
{
    /// <summary>File the detached proxy process writes once it listens.</summary>
    public const string FileName = "proxy.json";

    /// <summary>Reads <c>DIR/proxy.json</c>; null if absent or half-written.</summary>
    public static DevnetProxyRecord? TryLoad(string devnetDirectory)
    {
        try
        {
            return JsonSerializer.Deserialize<DevnetProxyRecord>(File.ReadAllText(Path.Combine(devnetDirectory, FileName)), JsonOutput.Options);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes <c>DIR/proxy.json</c> atomically.</summary>
    public void Save(string devnetDirectory)
    {
        var path = Path.Combine(devnetDirectory, FileName);
        File.WriteAllText(path + ".tmp", JsonOutput.Serialize(this));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

/// <summary>
/// The link proxies of one devnet (one <see cref="LinkProxy"/> per child → parent link) and their control port:
/// a line protocol on 127.0.0.1 (<c>cut t01-v01</c>, <c>heal t01-v01</c>, <c>status</c>), one command per connection,
/// answered with one line starting <c>ok</c> or <c>error</c>.
/// </summary>
internal sealed class LinkProxyHost : IAsyncDisposable
{
    private readonly Dictionary<string, LinkProxy> _links;
    private readonly TcpListener _control = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private LinkProxyHost(Dictionary<string, LinkProxy> links)
    {
        _links = links;
        _control.Start();
        _serving = ServeAsync(_stop.Token);
    }

    /// <summary>The control port on 127.0.0.1.</summary>
    public int ControlPort => ((IPEndPoint)_control.LocalEndpoint).Port;

    /// <summary>The proxy of each link, by child node id.</summary>
    public IReadOnlyDictionary<string, LinkProxy> Links => _links;

    /// <summary>Starts a proxy per link (child id → parent port), each on a free port, and the control port.</summary>
    public static LinkProxyHost Start(IEnumerable<KeyValuePair<string, int>> links)
    {
        var proxies = new Dictionary<string, LinkProxy>(StringComparer.Ordinal);
        foreach (var (child, parentPort) in links)
        {
            proxies[child] = new LinkProxy(child, parentPort).Start();
        }

        return new LinkProxyHost(proxies);
    }

    /// <summary>What devnet.json records about these proxies.</summary>
    public DevnetProxyRecord ToRecord() =>
        new(Environment.ProcessId, ControlPort, _links.ToDictionary(l => l.Key, l => l.Value.Port, StringComparer.Ordinal));

    /// <summary>Runs one control command; returns the answer line.</summary>
    public string Execute(string command)
    {
        var parts = command.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts is ["status"])
        {
            return "ok " + string.Join(' ', _links.OrderBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}={(l.Value.IsCut ? "cut" : "up")}/{l.Value.LiveConnections}")));
        }

        if (parts is not ["cut" or "heal", var node])
        {
            return "error expected: cut NODE | heal NODE | status";
        }

        if (!_links.TryGetValue(node, out var link))
        {
            return $"error no link from {node} (links: {string.Join(", ", _links.Keys.Order(StringComparer.Ordinal))})";
        }

        if (parts[0] == "cut")
        {
            var dropped = link.LiveConnections;
            link.Cut();
            return string.Create(CultureInfo.InvariantCulture, $"ok cut {node}: {dropped} connections dropped, new ones refused");
        }

        link.Heal();
        return $"ok healed {node}";
    }

    /// <summary>Sends one command to the control port of a running host; returns its answer line.</summary>
    public static async Task<string> SendAsync(int controlPort, string command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, controlPort, timeout.Token).ConfigureAwait(false);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), timeout.Token).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false) ?? "error no answer";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _control.Stop();
        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopping
        }

        foreach (var link in _links.Values)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await _control.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            _ = AnswerAsync(client, ct);
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken ct)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var line = await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false) ?? string.Empty;
                await stream.WriteAsync(Encoding.UTF8.GetBytes(Execute(line) + "\n"), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // a client that went away or never spoke
            }
        }
    }
}
