using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// A TCP proxy for one child → parent link of a devnet, on 127.0.0.1 only: the child's upstream URL points at
/// <see cref="Port"/> and every connection is relayed byte for byte to the parent's port. <see cref="Cut"/> resets
/// every live connection (RST, as a dropped village line looks to both ends) and refuses new ones until
/// <see cref="Heal"/>. It knows nothing of HTTP/2 or gRPC, so the cut hits the nodes exactly where a real one would.
/// </summary>
internal sealed class LinkProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, (Socket Client, Socket Upstream)> _live = new();
    private long _nextId;
    private volatile bool _cut;
    private Task? _accepting;

    /// <summary>Creates a proxy from 127.0.0.1:<paramref name="listenPort"/> (0 = any free port) to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public LinkProxy(string name, int targetPort, int listenPort = 0)
    {
        Name = name;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
    }

    /// <summary>The link's name: the child node's id.</summary>
    public string Name { get; }

    /// <summary>The port children connect to (known after <see cref="Start"/>).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The parent's port on 127.0.0.1.</summary>
    public int TargetPort => _targetPort;

    /// <summary>True between <see cref="Cut"/> and <see cref="Heal"/>.</summary>
    public bool IsCut => _cut;

    /// <summary>Connections being relayed now.</summary>
    public int LiveConnections => _live.Count;

    /// <summary>Starts listening and relaying.</summary>
    public LinkProxy Start()
    {
        _listener.Start();
        _accepting = AcceptLoopAsync(_stop.Token);
        return this;
    }

    /// <summary>Resets every live connection and refuses new ones.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var id in _live.Keys)
        {
            Drop(id);
        }
    }

    /// <summary>Accepts and relays connections again.</summary>
    public void Heal() => _cut = false;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var id in _live.Keys)
        {
            Drop(id);
        }

        if (_accepting is not null)
        {
            try
            {
                await _accepting.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopping
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            if (_cut)
            {
                Reset(client);
                continue;
            }

            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        var id = Interlocked.Increment(ref _nextId);
        _live[id] = (client, upstream);
        try
        {
            // A cut between accept and registration must not let this connection through.
            if (_cut)
            {
                return;
            }

            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), ct).ConfigureAwait(false);
            await Task.WhenAll(PumpAsync(client, upstream, ct), PumpAsync(upstream, client, ct)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the parent is down, the link was cut, or the proxy stops: the connection ends with a reset
        }
        finally
        {
            Drop(id);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                // Half-close: pass the end of stream on and keep relaying the other way.
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            var sent = 0;
            while (sent < n)
            {
                sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, ct).ConfigureAwait(false);
            }
        }
    }

    private void Drop(long id)
    {
        if (_live.TryRemove(id, out var pair))
        {
            Reset(pair.Client);
            Reset(pair.Upstream);
        }
    }

    /// <summary>Closes with RST rather than FIN: to both ends it looks like a line that went dead, not a polite goodbye.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // not connected (yet): closing is enough
        }

        socket.Dispose();
    }
}
