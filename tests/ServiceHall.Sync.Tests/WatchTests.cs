using Grpc.Core;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>The notice stream: a parent tells a watching child that changes for it wait, so the child pulls at once.</summary>
public sealed class WatchTests
{
    [Fact(Timeout = 30_000)]
    public async Task Runners_CityWritesForVillage_TownshipAndVillagePullItWithoutAPeriodicRound()
    {
        await using var net = await Network.CreateAsync();
        var t = net["t01"];
        var v = net["t01-v01"];
        // The fake clock never reaches the interval: only a notice can start the rounds that bring the row down.
        var options = new SyncOptions { Interval = TimeSpan.FromHours(1), Debounce = TimeSpan.Zero, Watch = true };
        using var township = new SyncRunner(t.Store, options, net.Time, t.Client);
        using var village = new SyncRunner(v.Store, options, net.Time, v.Client);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        v.Store.Applied += (_, _, changes) =>
        {
            if (changes.Any(c => c.Key == "decision"))
            {
                arrived.TrySetResult();
            }
        };
        await township.StartAsync(TestContext.Current.CancellationToken);
        await village.StartAsync(TestContext.Current.CancellationToken);

        net.City.Write("decision", Network.ScopeOf(v.Id), "approved at the city");
        await arrived.Task.WaitAsync(TestContext.Current.CancellationToken);
        await village.StopAsync(TestContext.Current.CancellationToken);
        await township.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([$"decision|{Network.ScopeOf(v.Id)}|approved at the city|∅"], v.Notes());
        Assert.Empty(net["t01-v02"].Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Watch_OpenedBehindTheParent_NoticesAtOnce()
    {
        await using var net = await Network.CreateAsync();
        var t = net["t01"];
        var v = net["t01-v01"];
        t.Write("waiting", Network.ScopeOf(v.Id), "written while the village was away");
        var through = t.Count("SELECT MAX(seq) FROM _sync_log");
        using var channel = v.RawChannel(t);
        var client = new Protos.V1.Sync.SyncClient(channel);

        using var call = client.Watch(new WatchRequest { AfterSeq = v.Store.ReadParent()!.PullCursor }, Header(v.Id),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(through, call.ResponseStream.Current.ThroughSeq);
    }

    [Fact(Timeout = 30_000)]
    public async Task Watch_UpToDate_FirstNoticeIsForTheNextChangeInItsScope()
    {
        await using var net = await Network.CreateAsync();
        var t = net["t01"];
        var v1 = net["t01-v01"];
        var v2 = net["t01-v02"];
        using var channel = v1.RawChannel(t);
        var client = new Protos.V1.Sync.SyncClient(channel);
        using var call = client.Watch(new WatchRequest { AfterSeq = t.Count("SELECT COALESCE(MAX(seq), 0) FROM _sync_log") }, Header(v1.Id),
            cancellationToken: TestContext.Current.CancellationToken);
        await call.ResponseHeadersAsync;

        // Not v01's: another village's row, and a row v01 pushed itself (no echo). Then one of its own.
        t.Write("other", Network.ScopeOf(v2.Id), "for v02");
        v1.Write("own", Network.ScopeOf(v1.Id), "pushed by v01");
        await v1.SyncAsync();
        t.Write("mine", Network.ScopeOf(v1.Id), "for v01");
        var mine = t.Count("SELECT seq FROM _sync_log WHERE pk = 'mine'");

        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(mine, call.ResponseStream.Current.ThroughSeq);
    }

    [Fact]
    public async Task HasChangesFor_FiltersLikeAPull()
    {
        await using var node = new TestNode("t01", TimeProvider.System);
        var child = new SyncPeer("t01-v01", 3, "city/t01/t01-v01");
        node.Write("a", "city/t01/t01-v02", "another village");
        node.Write("b", "city/t01", "the township's own");
        var before = node.Count("SELECT MAX(seq) FROM _sync_log");
        node.WriteGlobal("g", "catalogue");
        var global = node.Count("SELECT MAX(seq) FROM _sync_log");
        node.Write("c", "city/t01/t01-v01", "the child's");
        node.Write("c", "city/t01/t01-v02", "moved to another village");
        var moved = node.Count("SELECT MAX(seq) FROM _sync_log");

        Assert.False(SyncService.HasChangesFor(node.Store, child, 0, before));
        Assert.True(SyncService.HasChangesFor(node.Store, child, before, global));
        // The row left the child's scope: it gets a delete, so it must hear of it.
        Assert.True(SyncService.HasChangesFor(node.Store, child, global, moved));
    }

    [Fact]
    public async Task HasChangesFor_TableThatDoesNotNotify_WaitsForTheNextRound()
    {
        // Link-health rows a parent writes about a child as it syncs must not wake that child (a loop otherwise).
        var schema = new SyncSchema(1,
        [
            new SyncTable(TestSchema.Globals, "id", ["id", "body"], SyncDirection.DownOnly),
            new SyncTable(TestSchema.Notes, "id", ["id", "scope", "body", "n"], SyncDirection.Both, "scope", Notify: false),
        ]);
        await using var node = new TestNode("t01", TimeProvider.System, schema);
        var child = new SyncPeer("t01-v01", 3, "city/t01/t01-v01");
        node.Write("c", "city/t01/t01-v01", "about the child");
        var noted = node.Count("SELECT MAX(seq) FROM _sync_log");
        node.WriteGlobal("g", "catalogue");
        var global = node.Count("SELECT MAX(seq) FROM _sync_log");

        Assert.False(SyncService.HasChangesFor(node.Store, child, 0, noted));
        Assert.True(SyncService.HasChangesFor(node.Store, child, noted, global));
    }

    [Fact(Timeout = 30_000)]
    public async Task Watch_UnregisteredOrAnonymous_Refused()
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01-v01"].RawChannel(net["t01"]);
        var client = new Protos.V1.Sync.SyncClient(channel);

        var stranger = await Assert.ThrowsAsync<RpcException>(() => Next(client.Watch(new WatchRequest(), Header("t02-v01"), cancellationToken: TestContext.Current.CancellationToken)));
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Next(client.Watch(new WatchRequest(), cancellationToken: TestContext.Current.CancellationToken)));

        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    private static Metadata Header(string nodeId) => new() { { SyncProtocol.NodeHeader, nodeId } };

    private static async Task Next(AsyncServerStreamingCall<ChangeNotice> call)
    {
        using (call)
        {
            await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken);
        }
    }
}
