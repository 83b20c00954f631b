using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Tests.Catalogue;

public sealed class CatalogueRepositoryTests
{
    [Fact]
    public void RegisterNode_NewVillageUnderTownship_CreatesItUnderTheParentScope()
    {
        using var store = new TestStore();
        store.Seed();
        var logRows = store.Scalar("SELECT COUNT(*) FROM _sync_log");

        var result = store.Repository.RegisterNode("t03-v09", NodeLevel.Village, "t03", "新建村便民服务站");

        Assert.True(result.Created);
        Assert.Equal(new RegisteredNode("t03-v09", NodeLevel.Village, "t03", "新建村便民服务站", "city/t03/t03-v09"), result.Node);
        Assert.Equal(result.Node, store.Repository.GetNode("t03-v09"));
        Assert.Contains(result.Node, store.Repository.GetChildren("t03"));
        Assert.Equal(logRows + 1, store.Scalar("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal(1, store.Scalar("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'nodes' AND pk = 't03-v09' AND origin = 'city'"));
    }

    [Fact]
    public void RegisterNode_NewTownshipUnderCity_GetsScopeBelowCity()
    {
        using var store = new TestStore();
        store.Seed();

        var result = store.Repository.RegisterNode("t22", NodeLevel.Township, "city", "新区便民服务中心");

        Assert.True(result.Created);
        Assert.Equal("city/t22", result.Node.Scope);
        Assert.Equal(22, store.Repository.GetChildren("city").Count);
    }

    [Fact]
    public void RegisterNode_SameNodeAgain_ReturnsNotCreatedAndWritesNothing()
    {
        using var store = new TestStore();
        store.Seed();
        store.Repository.RegisterNode("t03-v09", NodeLevel.Village, "t03", "新建村便民服务站");
        var maxSeq = store.Scalar("SELECT MAX(seq) FROM _sync_log");

        var again = store.Repository.RegisterNode("t03-v09", NodeLevel.Village, "t03", "新建村便民服务站");

        Assert.False(again.Created);
        Assert.Equal("city/t03/t03-v09", again.Node.Scope);
        Assert.Equal(maxSeq, store.Scalar("SELECT MAX(seq) FROM _sync_log"));
    }

    [Fact]
    public async Task RegisterNode_SameNodeFromManyCallersAtOnce_CreatedExactlyOnce()
    {
        using var store = new TestStore();
        store.Seed();
        var maxSeq = store.Scalar("SELECT MAX(seq) FROM _sync_log");
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            return store.Repository.RegisterNode("t05-v09", NodeLevel.Village, "t05", "新建村便民服务站");
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal("city/t05/t05-v09", r.Node.Scope));
        Assert.Equal(maxSeq + 1, store.Scalar("SELECT MAX(seq) FROM _sync_log"));
    }

    [Fact]
    public void RegisterNode_SeededNodeWithNewName_RenamesWithoutCreating()
    {
        using var store = new TestStore();
        store.Seed();
        var maxSeq = store.Scalar("SELECT MAX(seq) FROM _sync_log");

        var result = store.Repository.RegisterNode("t01-v01", NodeLevel.Village, "t01", "大洛沟社区便民服务站");

        Assert.False(result.Created);
        Assert.Equal("大洛沟社区便民服务站", store.Repository.GetNode("t01-v01")?.Name);
        Assert.Equal("city/t01/t01-v01", store.Repository.GetNode("t01-v01")?.Scope);
        Assert.Equal(maxSeq + 1, store.Scalar("SELECT MAX(seq) FROM _sync_log"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("T01-V01")]
    [InlineData("t01 v01")]
    [InlineData("t01_v01")]
    [InlineData("t01-v01\n")]
    [InlineData("大洛沟")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")] // 33 characters
    public void RegisterNode_BadId_InvalidArgument(string id)
    {
        using var store = new TestStore();
        store.Seed();
        var nodes = store.Scalar("SELECT COUNT(*) FROM nodes");

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode(id, NodeLevel.Village, "t01", "某村便民服务站"));

        Assert.Equal(CatalogueErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(nodes, store.Scalar("SELECT COUNT(*) FROM nodes"));
    }

    [Fact]
    public void RegisterNode_IdOf32Characters_IsAccepted()
    {
        using var store = new TestStore();
        store.Seed();

        var result = store.Repository.RegisterNode(new string('a', 32), NodeLevel.Village, "t01", "某村便民服务站");

        Assert.True(result.Created);
    }

    [Theory]
    [InlineData(NodeLevel.Village, "city")] // a village hangs under a township
    [InlineData(NodeLevel.Township, "t01")] // a township hangs under the city
    [InlineData(NodeLevel.Village, "t01-v01")] // a village is a leaf
    [InlineData(NodeLevel.Village, "t99")] // unknown parent
    [InlineData(NodeLevel.Village, "")] // no parent
    [InlineData(NodeLevel.City, "city")] // there is one city
    [InlineData((NodeLevel)7, "t01")] // not a level
    public void RegisterNode_WrongLevelOrParent_InvalidArgument(NodeLevel level, string parent)
    {
        using var store = new TestStore();
        store.Seed();

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode("x01", level, parent, "某站"));

        Assert.Equal(CatalogueErrorKind.InvalidArgument, error.Kind);
        Assert.Null(store.Repository.GetNode("x01"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void RegisterNode_EmptyName_InvalidArgument(string name)
    {
        using var store = new TestStore();
        store.Seed();

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode("t01-v99", NodeLevel.Village, "t01", name));

        Assert.Equal(CatalogueErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void RegisterNode_OversizedName_InvalidArgument()
    {
        using var store = new TestStore();
        store.Seed();

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode("t01-v99", NodeLevel.Village, "t01", new string('村', CatalogueRepository.MaxNodeNameLength + 1)));

        Assert.Equal(CatalogueErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void RegisterNode_RegisteredUnderAnotherParent_FailedPreconditionAndUnchanged()
    {
        using var store = new TestStore();
        store.Seed();

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode("t01-v01", NodeLevel.Village, "t02", "大洛沟村便民服务站"));

        Assert.Equal(CatalogueErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal("city/t01/t01-v01", store.Repository.GetNode("t01-v01")?.Scope);
    }

    [Fact]
    public void RegisterNode_AtTownship_FailedPrecondition()
    {
        using var store = new TestStore("t01", NodeLevel.Township);

        var error = Assert.Throws<CatalogueException>(() => store.Repository.RegisterNode("t01-v09", NodeLevel.Village, "t01", "某村便民服务站"));

        Assert.Equal(CatalogueErrorKind.FailedPrecondition, error.Kind);
        Assert.Equal(0, store.Scalar("SELECT COUNT(*) FROM _sync_log"));
    }

    [Fact]
    public void ListItems_ByLevel_ReturnsOnlyThatLevelOrderedByCode()
    {
        using var store = new TestStore();
        store.Seed();

        var village = store.Repository.ListItems(NodeLevel.Village);

        Assert.NotEmpty(village);
        Assert.All(village, i => Assert.Equal(NodeLevel.Village, i.HandlingLevel));
        Assert.Equal(village.Select(i => i.Code).Order(StringComparer.Ordinal), village.Select(i => i.Code));
        Assert.Equal(store.Repository.ListItems().Count, Enum.GetValues<NodeLevel>().Sum(l => store.Repository.ListItems(l).Count));
    }

    [Fact]
    public void GetItem_UnknownCode_ReturnsNull()
    {
        using var store = new TestStore();
        store.Seed();

        Assert.Null(store.Repository.GetItem("NO-SUCH-ITEM"));
    }

    [Fact]
    public void GetCalendar_YearWithoutData_IsEmptyAndAllYearsHoldsEveryDay()
    {
        using var store = new TestStore();
        store.Seed();

        Assert.Empty(store.Repository.GetCalendar(2027));
        Assert.Empty(store.Repository.GetCalendar(2025));
        Assert.Equal(store.Repository.GetCalendar(2026), store.Repository.GetCalendar());
    }

    [Fact]
    public void ListAgencies_Seeded_OrderedByCode()
    {
        using var store = new TestStore();
        store.Seed();

        var agencies = store.Repository.ListAgencies();

        Assert.True(agencies.Count >= 3);
        Assert.Equal(agencies.Select(a => a.Code).Order(StringComparer.Ordinal), agencies.Select(a => a.Code));
    }
}
