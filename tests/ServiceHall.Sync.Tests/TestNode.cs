using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>Generic test tables: a scoped two-way table and a global root-only table.</summary>
internal static class TestSchema
{
    public const string Notes = "notes";
    public const string Globals = "globals";

    public static SyncSchema Create(int version = 1) => new(version,
    [
        new SyncTable(Globals, "id", ["id", "body"], SyncDirection.DownOnly),
        new SyncTable(Notes, "id", ["id", "scope", "body", "n"], SyncDirection.Both, "scope"),
    ]);

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "test tables", """
            CREATE TABLE globals (id TEXT NOT NULL PRIMARY KEY, body TEXT NULL);
            CREATE TABLE notes (id TEXT NOT NULL PRIMARY KEY, scope TEXT NOT NULL, body TEXT NULL, n INTEGER NULL);
            """),
    ];
}

/// <summary>A directory of children backed by a dictionary; it knows the scopes of its children's subtrees too.</summary>
internal sealed class TestDirectory : ISyncPeerDirectory
{
    public Dictionary<string, SyncPeer> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>The children's own directories, consulted for the scopes of nodes further down.</summary>
    public List<TestDirectory> Below { get; } = [];

    public SyncPeer? FindChild(string nodeId) => Children.GetValueOrDefault(nodeId);

    public string? ScopeOf(string nodeId) =>
        Children.GetValueOrDefault(nodeId)?.Scope ?? Below.Select(d => d.ScopeOf(nodeId)).FirstOrDefault(s => s is not null);
}

/// <summary>One node: its own temporary SQLite file, optionally a Kestrel server on 127.0.0.1:0, optionally a client of a parent.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private readonly string _dir;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    public TestNode(string id, TimeProvider time, SyncSchema? schema = null)
    {
        Id = id;
        _dir = Path.Combine(Path.GetTempPath(), "servicehall-sync-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(_dir);
        Provider = new SqliteStoreProvider(Path.Combine(_dir, id + ".db"));
        Migrator.Apply(Provider, SyncStore.Component, SyncStore.Migrations, time);
        Migrator.Apply(Provider, "test", TestSchema.Migrations, time);
        Store = new SyncStore(Provider, schema ?? TestSchema.Create(), id, time);
    }

    public string Id { get; }

    public SqliteStoreProvider Provider { get; }

    public SyncStore Store { get; }

    public TestDirectory Directory { get; } = new();

    public FaultHandler Faults { get; } = new();

    public SyncClient? Client { get; private set; }

    public string? Url { get; private set; }

    /// <summary>Sync calls one child may make per hour at this node's server (set before <see cref="StartServerAsync"/>).</summary>
    public int PeerCallLimit { get; set; } = 100_000;

    public async Task StartServerAsync()
    {
        // No config file watching: each watcher takes one of the user's 128 inotify instances, and a test run
        // (or a bench on the same machine) with many in-process servers would run out.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc().AddSyncServiceLimits();
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton<ISyncPeerDirectory>(Directory);
        // The engine's own tests run in the cleartext mode: the header names the caller (node certificates are tested with the node host).
        builder.Services.AddSingleton<ISyncPeerAuthenticator, HeaderClaimAuthenticator>();
        // Notices to watching children go out at once: the fake clock would hold a debounce forever.
        builder.Services.Configure<SyncOptions>(o => (o.PeerCallLimit, o.PeerCallWindow, o.NoticeDebounce) = (PeerCallLimit, TimeSpan.FromHours(1), TimeSpan.Zero));
        builder.Services.AddSingleton<SyncPeerGate>();
        _app = builder.Build();
        _app.MapServiceHallSync();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>Registers <paramref name="child"/> as a child of this node with <paramref name="scope"/>.</summary>
    public void AddChild(TestNode child, string scope, NodeLevel level)
    {
        Directory.Children[child.Id] = new SyncPeer(child.Id, (int)level, scope);
        Directory.Below.Add(child.Directory);
    }

    public void ConnectTo(TestNode parent, NodeLevel level, SyncOptions? options = null)
    {
        _channel = GrpcChannel.ForAddress(parent.Url!, new GrpcChannelOptions { HttpHandler = Faults });
        Client = new SyncClient(Store, _channel.CreateCallInvoker(), level, options, parent.Url!);
    }

    public GrpcChannel RawChannel(TestNode parent) => GrpcChannel.ForAddress(parent.Url!);

    public Task<SyncRoundResult> SyncAsync() => Client!.SyncAsync(TestContext.Current.CancellationToken);

    public void Write(string id, string scope, string? body, long? n = null)
    {
        using var w = Store.BeginWrite();
        w.Upsert(TestSchema.Notes, [id, scope, body, n]);
        w.Commit();
    }

    public void WriteGlobal(string id, string? body)
    {
        using var w = Store.BeginWrite();
        w.Upsert(TestSchema.Globals, [id, body]);
        w.Commit();
    }

    public bool Delete(string table, string id)
    {
        using var w = Store.BeginWrite();
        var deleted = w.Delete(table, id);
        w.Commit();
        return deleted;
    }

    /// <summary>The notes rows as "id|scope|body|n", sorted.</summary>
    public List<string> Notes() => Query("SELECT id, scope, body, n FROM notes ORDER BY id");

    /// <summary>The globals rows as "id|body", sorted.</summary>
    public List<string> Globals() => Query("SELECT id, body FROM globals ORDER BY id");

    public long Count(string sql)
    {
        using var conn = Provider.OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    public List<string> Query(string sql)
    {
        using var conn = Provider.OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            var cells = new string[r.FieldCount];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            }

            rows.Add(string.Join('|', cells));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Provider.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a dying connection; the OS temp cleaner takes it
        }
    }
}

/// <summary>
/// Injects link drops: when armed, the response stream of the next matching call is cut after a number of bytes,
/// as a dropped village link would. Everything else passes through.
/// </summary>
internal sealed class FaultHandler : DelegatingHandler
{
    private string? _method;
    private long _cutAfter;

    public FaultHandler()
        : base(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
    }

    public int Cuts { get; private set; }

    /// <summary>While true every call fails before it leaves, as against an unreachable parent (connection refused).</summary>
    public bool Offline { get; set; }

    /// <summary>While true every call waits before it leaves until it is cancelled, as against a parent that never answers.</summary>
    public bool Stalled { get; set; }

    /// <summary>Calls attempted (sent or refused) through this handler.</summary>
    public int Calls => _calls;

    private int _calls;

    /// <summary>Cuts the next call to <paramref name="method"/> ("Pull" or "Push") after <paramref name="bytes"/> response bytes.</summary>
    public void CutNext(string method, long bytes)
    {
        _method = method;
        _cutAfter = bytes;
    }

    public void Disarm() => _method = null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (Offline)
        {
            throw new HttpRequestException("injected: parent unreachable", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        }

        if (Stalled)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (_method is not null && request.RequestUri!.AbsolutePath.EndsWith("/" + _method, StringComparison.Ordinal))
        {
            _method = null;
            var inner = response.Content;
            var cut = new CutContent(inner, _cutAfter, () => Cuts++);
            foreach (var h in inner.Headers)
            {
                cut.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }

            response.Content = cut;
        }

        return response;
    }

    private sealed class CutContent(HttpContent inner, long after, Action onCut) : HttpContent
    {
        protected override async Task<Stream> CreateContentReadStreamAsync() => new CutStream(await inner.ReadAsStreamAsync(), after, onCut);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class CutStream(Stream inner, long after, Action onCut) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= after)
            {
                onCut();
                inner.Dispose();
                throw new IOException("injected link drop");
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, after - _read)], cancellationToken);
            _read += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>City, two townships, two villages under each; every node its own store; townships relay.</summary>
internal sealed class Network : IAsyncDisposable
{
    public const string CityScope = "city";

    private Network(FakeTimeProvider time) => Time = time;

    public FakeTimeProvider Time { get; }

    public TestNode City { get; private set; } = null!;

    public List<TestNode> Townships { get; } = [];

    public List<TestNode> Villages { get; } = [];

    public IEnumerable<TestNode> All => new[] { City }.Concat(Townships).Concat(Villages);

    public TestNode this[string id] => All.Single(n => n.Id == id);

    public static string ScopeOf(string id) => id == "city" ? CityScope
        : id.Contains('-', StringComparison.Ordinal) ? $"{CityScope}/{id[..id.IndexOf('-', StringComparison.Ordinal)]}/{id}"
        : $"{CityScope}/{id}";

    public static async Task<Network> CreateAsync(SyncOptions? options = null)
    {
        var net = new Network(new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)));
        net.City = new TestNode("city", net.Time);
        net.City.Store.SetNodeScope(CityScope);
        await net.City.StartServerAsync();
        foreach (var t in new[] { "t01", "t02" })
        {
            var town = new TestNode(t, net.Time);
            await town.StartServerAsync();
            net.City.AddChild(town, ScopeOf(t), NodeLevel.Township);
            town.ConnectTo(net.City, NodeLevel.Township, options);
            net.Townships.Add(town);
            foreach (var v in new[] { "v01", "v02" })
            {
                var village = new TestNode($"{t}-{v}", net.Time);
                town.AddChild(village, ScopeOf(village.Id), NodeLevel.Village);
                village.ConnectTo(town, NodeLevel.Village, options);
                net.Villages.Add(village);
            }
        }

        // First contact: every node learns its scope.
        foreach (var n in net.Townships.Concat(net.Villages))
        {
            await n.SyncAsync();
        }

        return net;
    }

    /// <summary>Up through the townships to the city, then down again: enough for any change to reach every node.</summary>
    public async Task ConvergeAsync()
    {
        foreach (var v in Villages)
        {
            await v.SyncAsync();
        }

        foreach (var t in Townships)
        {
            await t.SyncAsync();
        }

        foreach (var v in Villages)
        {
            await v.SyncAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in All.Reverse())
        {
            await n.DisposeAsync();
        }
    }
}
