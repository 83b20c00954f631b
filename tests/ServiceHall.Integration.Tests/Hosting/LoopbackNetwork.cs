using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Transport;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>
/// Real nodes in this process, each a node host on Kestrel (127.0.0.1, dynamic port, cleartext) with its own SQLite store
/// under one temporary directory, started parent first and synced by explicit rounds. Disposing stops them, children first,
/// and deletes the stores.
/// </summary>
public sealed class LoopbackNetwork(TimeProvider time) : IAsyncDisposable
{
    private readonly Dictionary<string, (WebApplication App, GrpcChannel Channel)> _nodes = new(StringComparer.Ordinal);

    /// <summary>A network on the system clock.</summary>
    public LoopbackNetwork() : this(TimeProvider.System)
    {
    }

    /// <summary>The directory holding every node's data directory (<c>&lt;Directory&gt;/&lt;node id&gt;</c>).</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The ids of the started nodes, in start order.</summary>
    public IEnumerable<string> Ids => _nodes.Keys;

    /// <summary>A gRPC channel to the node.</summary>
    public GrpcChannel Channel(string node) => _nodes[node].Channel;

    /// <summary>A service of the node's host (its repositories, its engine).</summary>
    public T Service<T>(string node) where T : notnull => _nodes[node].App.Services.GetRequiredService<T>();

    /// <summary>The path of the node's store file.</summary>
    public string StorePath(string node) => Path.Combine(Directory, node, node + ".db");

    /// <summary>Builds, migrates and starts a node; its parent must have been started first.</summary>
    public async Task StartAsync(string id, NodeLevel level, string? parent)
    {
        List<string> args = ["--id", id, "--listen", "http://127.0.0.1:0", "--data", Path.Combine(Directory, id), NodeHostingExtensions.InsecureCleartextSwitch];
        if (parent is not null)
        {
            args.AddRange(["--upstream", NodeProgram.BoundAddress(_nodes[parent].App).ToString()]);
        }

        var app = NodeProgram.Build([.. args], level, null, null, time);
        app.InitializeServiceHallStore();
        await app.StartAsync(TestContext.Current.CancellationToken);
        _nodes[id] = (app, GrpcChannel.ForAddress(NodeProgram.BoundAddress(app)));
    }

    /// <summary>One sync round of the node with its parent (push, then pull), run in the node itself (its operator is not needed for that).</summary>
    public async Task SyncAsync(string node) =>
        await Service<SyncRunner>(node).RunOnceAsync(TestContext.Current.CancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var (app, channel) in _nodes.Values.Reverse())
        {
            channel.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
