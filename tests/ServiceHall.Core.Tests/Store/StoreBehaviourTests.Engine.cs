using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ChangeBatch = ServiceHall.Protos.V1.ChangeBatch;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// The engine and the domain on each provider: change capture, batch apply (newer wins, older skipped, concurrent
/// recorded), the scope a moved row leaves behind, case and catalogue queries, statistics. The same expectations on every
/// store: SQLite's applier writes row by row through raw statements, SQL Server's by bulk copy and MERGE.
/// </summary>
public abstract partial class StoreBehaviourTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);
    private const string V01 = "city/t01/t01-v01", V02 = "city/t01/t01-v02";

    [Fact]
    public void Capture_LocalWrites_RowAndLogEntryCommitTogetherAndAreReadInOrder()
    {
        using var store = CreateStore();
        var village = Engine(store, "t01-v01", V01, new FakeTimeProvider(T0));
        var reader = new ChangeReader(village);

        using (var rolledBack = village.BeginWrite())
        {
            rolledBack.Upsert(CaseTables.Cases, Case("c1", "never", V01));
        }

        Assert.Empty(reader.ReadForParent(0, "t01", 100, 1 << 20).Changes);
        Assert.Equal(0, reader.MaxSeq());

        using (var tx = village.BeginWrite())
        {
            tx.Upsert(CaseTables.Cases, Case("c1", "A", V01));
            tx.Upsert(CaseTables.Cases, Case("c2", "B", V01));
            tx.Commit();
        }

        var batch = reader.ReadForParent(0, "t01", 100, 1 << 20);
        Assert.Equal(["c1", "c2"], batch.Changes.Select(c => c.Key));
        Assert.Equal([1L, 2L], batch.Changes.Select(c => c.Seq));
        Assert.All(batch.Changes, c => Assert.Equal(("t01-v01", V01, false), (c.Origin, c.Partition, c.Deleted)));
        Assert.Equal(Case("c1", "A", V01), RowCodec.Decode(batch.Changes[0].Row.Span));
        Assert.True(batch.Changes[1].Hlc > batch.Changes[0].Hlc);
        Assert.Equal(2, batch.ThroughSeq);

        using (var tx = village.BeginWrite())
        {
            Assert.True(tx.Delete(CaseTables.Cases, "c2"));
            tx.Commit();
        }

        var tombstone = Assert.Single(reader.ReadForParent(2, "t01", 100, 1 << 20).Changes);
        Assert.Equal(("c2", 3L, true, V01), (tombstone.Key, tombstone.Seq, tombstone.Deleted, tombstone.Partition));
    }

    [Fact]
    public void Apply_Batch_NewerWinsOlderSkippedConcurrentRecordedAsConflict()
    {
        using var villageStore = CreateStore();
        using var townshipStore = CreateStore();
        var villageTime = new FakeTimeProvider(T0);
        var townshipTime = new FakeTimeProvider(T0);
        var village = Engine(villageStore, "t01-v01", V01, villageTime);
        var township = Engine(townshipStore, "t01", "city/t01", townshipTime);
        var applier = new ChangeApplier(township);
        Write(village, Case("c1", "v1", V01), Case("c2", "v1", V01));
        var first = new ChangeReader(village).ReadForParent(0, "t01", 100, 1 << 20);

        Assert.Equal(new ApplyResult(2, 0, 0), applier.Apply(first, "t01-v01", V01));
        Assert.Equal(new ApplyResult(0, 2, 0), applier.Apply(first, "t01-v01", V01)); // idempotent
        Assert.Equal(Case("c1", "v1", V01), Row(township, "c1"));

        // The township edits c1 after it arrived: the village's version is its base, so the old change is skipped quietly.
        townshipTime.Advance(TimeSpan.FromMinutes(1));
        Write(township, Case("c1", "township edit", V01));
        Assert.Equal(new ApplyResult(0, 2, 0), applier.Apply(first, "t01-v01", V01));
        Assert.Equal(Case("c1", "township edit", V01), Row(township, "c1"));

        // Both edit c2 while apart; the village's is later, so it wins on every node, and the loss is recorded.
        Write(township, Case("c2", "township edit", V01));
        villageTime.Advance(TimeSpan.FromMinutes(2));
        Write(village, Case("c2", "village edit", V01));
        var second = new ChangeReader(village).ReadForParent(first.ThroughSeq, "t01", 100, 1 << 20);
        Assert.Equal(new ApplyResult(1, 0, 1), applier.Apply(second, "t01-v01", V01));
        Assert.Equal(Case("c2", "village edit", V01), Row(township, "c2"));
        var conflict = Assert.Single(Conflicts(township));
        Assert.Equal(("c2", "t01-v01", "t01"), conflict);

        // What the township relays up: its own edit of c1 and the village's c2, sent as the writers' versions.
        var up = new ChangeReader(township).ReadForParent(0, "city", 100, 1 << 20);
        Assert.Equal([("c1", "t01"), ("c2", "t01-v01")], up.Changes.OrderBy(c => c.Key).Select(c => (c.Key, c.Origin)));
        // Nothing echoes back to the village that sent it, except the township's own edit.
        var down = new ChangeReader(township).ReadForChild(0, long.MaxValue, "t01-v01", V01, 100, 1 << 20);
        Assert.Equal(["c1"], down.Changes.Select(c => c.Key));
    }

    [Fact]
    public void Apply_RowMovedInOneBatch_LogKeepsThePreviousScopeAndTheOldChildGetsADelete()
    {
        using var townshipStore = CreateStore();
        using var cityStore = CreateStore();
        var time = new FakeTimeProvider(T0);
        var township = Engine(townshipStore, "t01", "city/t01", time);
        var city = Engine(cityStore, "city", "city", new FakeTimeProvider(T0));
        var reader = new ChangeReader(township);
        Write(township, Case("c3", "at v01", V01));
        var before = reader.ReadForParent(0, "city", 100, 1 << 20);
        time.Advance(TimeSpan.FromSeconds(1));
        Write(township, Case("c3", "moved to v02", V02));
        var after = reader.ReadForParent(before.ThroughSeq, "city", 100, 1 << 20);

        // Both versions of the row in one batch, as a relay that read them apart may send them.
        var batch = new ChangeBatch { Sender = "t01", ThroughSeq = after.ThroughSeq };
        batch.Tables.Add(before.Tables);
        batch.Changes.Add(before.Changes);
        batch.Changes.Add(after.Changes);
        Assert.Equal(new ApplyResult(2, 0, 0), new ChangeApplier(city).Apply(batch, "t01", "city/t01"));

        Assert.Equal(Case("c3", "moved to v02", V02), Row(city, "c3"));
        Assert.Equal((V02, V01, "t01"), LogScopes(city, "c3"));
        var cityReader = new ChangeReader(city);
        var toOldVillage = Assert.Single(cityReader.ReadForChild(0, long.MaxValue, "t01-v01", V01, 100, 1 << 20).Changes);
        Assert.True(toOldVillage.Deleted);
        Assert.False(Assert.Single(cityReader.ReadForChild(0, long.MaxValue, "t01-v02", V02, 100, 1 << 20).Changes).Deleted);
    }

    [Fact]
    public void Domain_CatalogueCasesAndStatistics_ReadBackFromTheStore()
    {
        using var store = CreateStore();
        var time = new FakeTimeProvider(T0);
        var sync = Engine(store, "city", "city", time);
        var identity = new NodeIdentity("city", NodeLevel.City);
        var seeded = CatalogueSeeder.SeedIfEmpty(sync, identity);
        Assert.Equal(0, CatalogueSeeder.SeedIfEmpty(sync, identity).Total); // seeds an empty store only
        var catalogue = new CatalogueRepository(sync, identity);

        Assert.Equal(seeded.Items, catalogue.ListItems().Count);
        Assert.Equal(catalogue.ListItems().Select(i => i.Code).Order(StringComparer.Ordinal), catalogue.ListItems().Select(i => i.Code));
        var cityItems = catalogue.ListItems(NodeLevel.City);
        Assert.NotEmpty(cityItems);
        Assert.All(cityItems, i => Assert.Equal(NodeLevel.City, i.HandlingLevel));
        var item = cityItems[0];
        var again = catalogue.GetItem(item.Code)!;
        Assert.Equal((item.Name, item.PromisedLimitDays, item.OnTheSpot), (again.Name, again.PromisedLimitDays, again.OnTheSpot));
        Assert.Equal(item.Materials.Select(m => m.Name), again.Materials.Select(m => m.Name));
        Assert.Null(catalogue.GetItem("NO-SUCH-ITEM"));
        Assert.Equal(seeded.Departments, catalogue.ListDepartments().Count);
        Assert.All(catalogue.GetCalendar(2026), d => Assert.Equal(2026, d.Date.Year));
        Assert.NotEmpty(catalogue.GetCalendar(2026));
        Assert.NotEmpty(catalogue.GetChildren("city"));
        Assert.Equal(seeded.Agencies, catalogue.ListAgencies().Count);

        var cases = new CaseRepository(sync, new CatalogueCaseCatalogue(catalogue), identity);
        var actor = new CaseActor("clerk", item.LeadDepartment);
        var first = cases.Submit(new CaseSubmission(item.Code, "张三", "370982199001010011", null, CaseChannel.Window, actor));
        time.Advance(TimeSpan.FromMinutes(1));
        var second = cases.Submit(new CaseSubmission(item.Code, "李四", "370982199001010022", "13800000000", CaseChannel.Online, actor));
        Assert.Equal(("city-20261127-0001", "city-20261127-0002"), (first.Number, second.Number));

        // The local counter is lost (a store rebuilt from the parent): the next number still follows the cases held.
        using (var conn = store.Provider.Open())
        using (var cmd = conn.Command("DELETE FROM case_counters"))
        {
            cmd.ExecuteNonQuery();
        }

        var third = cases.Submit(new CaseSubmission(item.Code, "王五", "370982199001010033", null, CaseChannel.Window, actor));
        Assert.Equal("city-20261127-0003", third.Number);

        Assert.Equal([third.Number, second.Number, first.Number], cases.List().Select(c => c.Number));
        Assert.Equal([third.Number], cases.List(limit: 1).Select(c => c.Number));
        Assert.Equal(3, cases.List(CaseStatus.Submitted).Count);
        Assert.Empty(cases.List(CaseStatus.PreReviewPassed));
        Assert.Equal("13800000000", cases.Get(second.Number)!.Header.Phone);
        Assert.Null(cases.Get("city-20261127-0099"));
        Assert.Equal(3, cases.RefreshAll());

        var report = CaseStatistics.Compute(cases.All(), catalogue.GetItem);
        Assert.Equal(3, report.Total.Cases);
        Assert.Equal(3, Assert.Single(report.ByItem).Cases);
        Assert.Equal("city", Assert.Single(report.ByTownship).Key);
    }

    /// <summary>The engine of a node over a migrated store.</summary>
    private static SyncStore Engine(ITestStore store, string nodeId, string scope, TimeProvider time)
    {
        MigrateNode(store);
        var engine = new SyncStore(store.Provider, Node.Value.Schema, nodeId, time);
        engine.SetNodeScope(scope);
        return engine;
    }

    private static object?[] Case(string number, string applicant, string scope) =>
        [number, "ITEM-1", applicant, "370982199001010011", "0538-1234567", "t01-v01", scope, "2026-11-27T09:00:00.0000000+08:00", "Window"];

    private static void Write(SyncStore engine, params object?[][] rows)
    {
        using var tx = engine.BeginWrite();
        foreach (var row in rows)
        {
            tx.Upsert(CaseTables.Cases, row);
        }

        tx.Commit();
    }

    private static object?[]? Row(SyncStore engine, string number)
    {
        var t = engine.Schema[CaseTables.Cases];
        using var conn = engine.Store.Open();
        var sql = $"SELECT {string.Join(", ", t.Columns.Select(engine.Store.Dialect.Quote))} FROM cases WHERE number = @p0";
        return ReadRow(conn, sql, number);
    }

    private static List<(string Key, string Winner, string Loser)> Conflicts(SyncStore engine)
    {
        using var conn = engine.Store.Open();
        using var cmd = conn.Command("SELECT pk, winner_origin, loser_origin FROM _sync_conflicts ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, string)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }

        return list;
    }

    private static (string? Scope, string? PrevScope, string? Via) LogScopes(SyncStore engine, string key)
    {
        using var conn = engine.Store.Open();
        var row = ReadRow(conn, "SELECT scope, prev_scope, via FROM _sync_log WHERE tbl = 'cases' AND pk = @p0", key)!;
        return ((string?)row[0], (string?)row[1], (string?)row[2]);
    }
}
