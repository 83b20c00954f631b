using ServiceHall.Core.Network;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Tests.Catalogue;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Tests.Network;

public class NodeLinkTests
{
    private static SyncPeerStatus Child(string id, string scope, string state, DateTimeOffset? last, DateTimeOffset? offlineSince = null, string? error = null) =>
        new(id, SyncProtocol.RelationChild, state, scope, last, last, offlineSince, 0, 0, 0, error);

    [Fact]
    public void Report_NewChildren_WritesOneCapturedRowEach()
    {
        using var store = new TestStore("city", NodeLevel.City);
        store.Sync.SetNodeScope("city");
        var links = new NodeLinkRepository(store.Sync, store.Node);
        var t = store.Time.GetUtcNow();

        var written = links.Report([Child("t01", "city/t01", "online", t), Child("t02", "city/t02", "offline", t.AddHours(-3), t.AddHours(-2), "connection refused")], TimeSpan.FromMinutes(5));

        Assert.Equal(2, written);
        var t02 = Assert.Single(links.All(), l => l.NodeId == "t02");
        Assert.Equal("offline", t02.State);
        Assert.Equal(t.AddHours(-2), t02.OfflineSince);
        Assert.Equal("connection refused", t02.LastError);
        Assert.Equal(2, store.Scalar("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'node_links'"));
    }

    [Fact]
    public void Report_NothingChanged_WritesNothing_ThenStateChange_Rewrites()
    {
        using var store = new TestStore("city", NodeLevel.City);
        store.Sync.SetNodeScope("city");
        var links = new NodeLinkRepository(store.Sync, store.Node);
        var t = store.Time.GetUtcNow();
        links.Report([Child("t01", "city/t01", "online", t)], TimeSpan.FromMinutes(5));

        Assert.Equal(0, links.Report([Child("t01", "city/t01", "online", t.AddMinutes(1))], TimeSpan.FromMinutes(5)));
        Assert.Equal(1, links.Report([Child("t01", "city/t01", "online", t.AddMinutes(6))], TimeSpan.FromMinutes(5)));
        Assert.Equal(1, links.Report([Child("t01", "city/t01", "offline", t.AddMinutes(6), t.AddMinutes(8))], TimeSpan.FromMinutes(5)));
        Assert.Equal("offline", Assert.Single(links.All()).State);
    }

    [Fact]
    public void HealthView_City_ListsEveryRegisteredNodeWithReportedOrNeverState()
    {
        using var store = new TestStore("city", NodeLevel.City);
        store.Sync.SetNodeScope("city");
        store.Seed();
        var links = new NodeLinkRepository(store.Sync, store.Node);
        links.Report([Child("t01", "city/t01", "online", store.Time.GetUtcNow())], TimeSpan.FromMinutes(5));

        var view = new NodeHealthView(store.Repository, links, store.Sync, store.Node).Read();

        Assert.Equal(store.Repository.ListNodes().Count - 1, view.Count);
        Assert.DoesNotContain(view, n => n.NodeId == "city");
        Assert.Equal("online", Assert.Single(view, n => n.NodeId == "t01").State);
        Assert.Equal("never", Assert.Single(view, n => n.NodeId == "t01-v01").State);
        Assert.Equal("village", Assert.Single(view, n => n.NodeId == "t01-v01").Level);
    }
}
