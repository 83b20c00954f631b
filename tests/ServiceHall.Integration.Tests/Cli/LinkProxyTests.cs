using System.Net;
using System.Net.Sockets;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

/// <summary>The devnet link proxy: bytes flow both ways, a cut drops live connections and refuses new ones, a heal accepts again.</summary>
public sealed class LinkProxyTests
{
    [Fact(Timeout = 20_000)]
    public async Task Relay_BytesBothWays_ArriveUnchanged()
    {
        await using var echo = EchoServer.Start();
        await using var proxy = new LinkProxy("t01-v01", echo.Port).Start();
        using var client = await ConnectAsync(proxy.Port);

        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        var received = await RoundTripAsync(client, payload);

        Assert.Equal(payload, received);
        Assert.Equal(1, proxy.LiveConnections);
    }

    [Fact(Timeout = 20_000)]
    public async Task Cut_LiveConnection_DroppedAndNewOnesRefused()
    {
        await using var echo = EchoServer.Start();
        await using var proxy = new LinkProxy("t01-v01", echo.Port).Start();
        using var live = await ConnectAsync(proxy.Port);
        await RoundTripAsync(live, [1, 2, 3]);

        proxy.Cut();
        var liveEnded = await EndsAsync(live);
        var freshEnded = await RefusedAsync(proxy.Port);

        Assert.True(proxy.IsCut);
        Assert.True(liveEnded, "the live connection survived the cut");
        Assert.True(freshEnded, "a new connection was relayed during the cut");
        Assert.Equal(0, proxy.LiveConnections);
    }

    [Fact(Timeout = 20_000)]
    public async Task Heal_AfterCut_RelaysNewConnections()
    {
        await using var echo = EchoServer.Start();
        await using var proxy = new LinkProxy("t01-v01", echo.Port).Start();
        proxy.Cut();

        proxy.Heal();
        using var client = await ConnectAsync(proxy.Port);
        var received = await RoundTripAsync(client, [9, 8, 7]);

        Assert.False(proxy.IsCut);
        Assert.Equal([9, 8, 7], received);
    }

    [Fact(Timeout = 20_000)]
    public async Task ControlPort_CutHealStatusAndUnknownNode_AnsweredPerLink()
    {
        await using var echo = EchoServer.Start();
        await using var host = LinkProxyHost.Start([new("t01", echo.Port), new("t01-v01", echo.Port)]);
        var ct = TestContext.Current.CancellationToken;

        var cut = await LinkProxyHost.SendAsync(host.ControlPort, "cut t01-v01", ct);
        var status = await LinkProxyHost.SendAsync(host.ControlPort, "status", ct);
        var unknown = await LinkProxyHost.SendAsync(host.ControlPort, "cut t09", ct);
        var heal = await LinkProxyHost.SendAsync(host.ControlPort, "heal t01-v01", ct);

        Assert.StartsWith("ok cut t01-v01", cut, StringComparison.Ordinal);
        Assert.Equal("ok t01=up/0 t01-v01=cut/0", status);
        Assert.StartsWith("error no link from t09", unknown, StringComparison.Ordinal);
        Assert.Equal("ok healed t01-v01", heal);
        Assert.False(host.Links["t01-v01"].IsCut);
        Assert.True(host.Links["t01-v01"].Port > 0);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        return s;
    }

    private static async Task<byte[]> RoundTripAsync(Socket s, byte[] payload)
    {
        var ct = TestContext.Current.CancellationToken;
        var send = s.SendAsync(payload, SocketFlags.None, ct).AsTask();
        var received = new byte[payload.Length];
        var got = 0;
        while (got < payload.Length)
        {
            var n = await s.ReceiveAsync(received.AsMemory(got), SocketFlags.None, ct);
            Assert.NotEqual(0, n);
            got += n;
        }

        await send;
        return received;
    }

    /// <summary>True if a new connection is reset at connect or ends before relaying a byte.</summary>
    private static async Task<bool> RefusedAsync(int port)
    {
        Socket s;
        try
        {
            s = await ConnectAsync(port);
        }
        catch (SocketException)
        {
            return true;
        }

        using (s)
        {
            return await EndsAsync(s);
        }
    }

    /// <summary>True if the connection ends (reset or closed) within 5 s instead of relaying a byte.</summary>
    private static async Task<bool> EndsAsync(Socket s)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await s.SendAsync(new byte[] { 42 }, SocketFlags.None, timeout.Token);
            var buffer = new byte[1];
            return await s.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Echoes every byte back, on 127.0.0.1 with a dynamic port.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static EchoServer Start()
        {
            var e = new EchoServer();
            e._listener.Start();
            e._loop = e.LoopAsync();
            return e;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // stopped
            }

            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            while (true)
            {
                var s = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (s)
                    {
                        var buffer = new byte[8192];
                        try
                        {
                            int n;
                            while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                            {
                                await s.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
                            }
                        }
                        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                        {
                            // peer reset or server stopping
                        }
                    }
                });
            }
        }
    }
}
