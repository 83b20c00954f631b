using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;

namespace ServiceHall.Core.Tests.Cases;

public sealed class CaseRepositoryTests
{
    private static readonly CaseActor Clerk = new("u1", "civil");

    private static CaseSubmission Residence() => new(ResidenceCertificate.Code, "李四", "370982199001010022", null, CaseChannel.Window, Clerk);

    [Fact]
    public void Submit_AtVillage_NumberShowsNodeAndLocalDateAndCounts()
    {
        using var store = CaseStoreFixture.Village();
        var first = store.Repository.Submit(Residence());
        var second = store.Repository.Submit(Residence());
        Assert.Equal("t01-v01-20261127-0001", first.Number);
        Assert.Equal("t01-v01-20261127-0002", second.Number);
        Assert.Equal(CaseStatus.Submitted, first.Status);
        Assert.Equal(2, store.Count("SELECT COUNT(*) FROM case_view"));
        Assert.Equal(4, store.Count("SELECT COUNT(*) FROM _sync_log WHERE tbl IN ('cases', 'case_events')"));
    }

    [Fact]
    public void Submit_CounterLost_NumberStillUnique()
    {
        using var store = CaseStoreFixture.Village();
        store.Repository.Submit(Residence());
        store.Count("DELETE FROM case_counters; SELECT 0");
        Assert.Equal("t01-v01-20261127-0002", store.Repository.Submit(Residence()).Number);
    }

    [Fact]
    public void Submit_NextLocalDay_CounterRestarts()
    {
        using var store = CaseStoreFixture.Village();
        store.Repository.Submit(Residence());
        store.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal("t01-v01-20261128-0001", store.Repository.Submit(Residence()).Number);
    }

    [Fact]
    public void Submit_UnknownItem_NotFound()
    {
        using var store = CaseStoreFixture.Village();
        var ex = Assert.Throws<CaseActionException>(() => store.Repository.Submit(Residence() with { ItemCode = "NOPE" }));
        Assert.Equal(CaseErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void Submit_NoApplicant_InvalidArgumentNothingWritten()
    {
        using var store = CaseStoreFixture.Village();
        var ex = Assert.Throws<CaseActionException>(() => store.Repository.Submit(Residence() with { ApplicantName = " " }));
        Assert.Equal(CaseErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM cases"));
    }

    [Fact]
    public void Append_RefusedAction_ChangesNothing()
    {
        using var store = CaseStoreFixture.Village();
        var n = store.Repository.Submit(Residence()).Number;
        var log = store.Count("SELECT COUNT(*) FROM _sync_log");
        var ex = Assert.Throws<CaseActionException>(() => store.Repository.Append(n, K.Decided, Clerk, new CaseEventData { Approved = true }));
        Assert.Equal(CaseErrorKind.FailedPrecondition, ex.Kind);
        Assert.Contains("not been accepted", ex.Message, StringComparison.Ordinal);
        Assert.Equal(log, store.Count("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_events"));
    }

    [Fact]
    public void Append_UnknownCase_NotFound()
    {
        using var store = CaseStoreFixture.Village();
        var ex = Assert.Throws<CaseActionException>(() => store.Repository.Append("t01-v01-20261127-0099", K.Accepted, Clerk, CaseEventData.None));
        Assert.Equal(CaseErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void Append_VillageItemLifecycle_StoredAndReadBack()
    {
        using var store = CaseStoreFixture.Village();
        var repo = store.Repository;
        var n = repo.Submit(Residence()).Number;
        repo.Append(n, K.Accepted, Clerk, CaseEventData.None);
        store.Time.Advance(TimeSpan.FromMinutes(5));
        repo.Append(n, K.Decided, Clerk, new CaseEventData { Approved = true, Reason = "resident" });
        repo.Append(n, K.Delivered, Clerk, CaseEventData.None);
        repo.Append(n, K.Evaluated, Clerk, new CaseEventData { Rating = 5, Comment = "很快" });
        var s = repo.Get(n)!;
        Assert.Equal(CaseStatus.Delivered, s.Status);
        Assert.Equal(5, s.Rating);
        Assert.Equal("很快", s.RatingComment);
        Assert.True(s.DecidedOnTheSpot);
        Assert.Equal(5, s.History.Count);
        Assert.All(s.History, e => Assert.Equal(Village, e.NodeId));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_view WHERE status = 'Delivered' AND rating = 5 AND on_time = 1"));
    }

    [Fact]
    public void List_StatusFilter_ReturnsOnlyThatStatus()
    {
        using var store = CaseStoreFixture.Village();
        var repo = store.Repository;
        var a = repo.Submit(Residence()).Number;
        repo.Submit(Residence());
        repo.Append(a, K.Accepted, Clerk, CaseEventData.None);
        Assert.Equal([a], repo.List(CaseStatus.Accepted).Select(s => s.Number));
        Assert.Equal(2, repo.List().Count);
        Assert.Empty(repo.List(CaseStatus.Withdrawn));
    }

    [Fact]
    public void Get_Missing_Null()
    {
        using var store = CaseStoreFixture.Village();
        Assert.Null(store.Repository.Get("x"));
    }

    [Fact]
    public void OnRowsApplied_CaseArrivesAtCity_ViewRefreshedAndCityCanAct()
    {
        using var village = CaseStoreFixture.Village();
        using var city = CaseStoreFixture.City(village.Time);
        var n = village.Repository.Submit(new CaseSubmission(BusinessRegistration.Code, "某公司", "91370982MA0000000X", "0538", CaseChannel.Window, new CaseActor("v1", "window"))).Number;
        using var township = new CaseStoreFixture(Township, NodeLevel.Township, TownshipScope, village.Time);
        village.Repository.Append(n, K.Routed, new CaseActor("v1", "window"), new CaseEventData { TargetNode = Township, TargetLevel = NodeLevel.Township });
        village.CopyCasesTo(township);
        Assert.Equal(1, township.Count("SELECT COUNT(*) FROM case_view WHERE holder = 't01'"));
        township.Repository.Append(n, K.Routed, new CaseActor("t1", "window"), new CaseEventData { TargetNode = City, TargetLevel = NodeLevel.City });
        township.CopyCasesTo(city);
        Assert.Equal(1, city.Count("SELECT COUNT(*) FROM case_view WHERE holder = 'city' AND township = 't01'"));

        city.Repository.Append(n, K.Accepted, new CaseActor("c1", "market"), CaseEventData.None);
        foreach (var d in BusinessRegistration.ReviewDepartments)
        {
            city.Repository.Append(n, K.OpinionRecorded, new CaseActor("c-" + d, d), new CaseEventData { Department = d, Opinion = OpinionKind.Approve });
        }

        city.Repository.Append(n, K.Decided, new CaseActor("c1", "market"), new CaseEventData { Approved = true, Reason = "ok" });
        city.CopyCasesTo(township);
        township.CopyCasesTo(village);
        var atVillage = village.Repository.Get(n)!;
        Assert.Equal(CaseStatus.Approved, atVillage.Status);
        Assert.Equal(Village, atVillage.Holder);
        Assert.True(atVillage.OnTime);
        Assert.Equal(1, village.Count("SELECT COUNT(*) FROM case_view WHERE status = 'Approved'"));
        village.Repository.Append(n, K.Delivered, new CaseActor("v1", "window"), CaseEventData.None);
    }

    [Fact]
    public void Append_AfterEventsFromNodeWithFasterClock_OrdersAfterThem()
    {
        using var village = CaseStoreFixture.Village();
        var n = village.Repository.Submit(Residence() with { ItemCode = BusinessRegistration.Code }).Number;
        village.Repository.Append(n, K.Routed, Clerk, new CaseEventData { TargetNode = Township, TargetLevel = NodeLevel.Township });
        // The township's clock runs an hour behind the village's.
        using var township = new CaseStoreFixture(Township, NodeLevel.Township, TownshipScope,
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(village.Time.GetUtcNow().AddHours(-1)));
        // Copy rows without letting the township's clock observe them (as an engine that does not observe would).
        village.CopyCasesTo(township, asEngineApply: false);
        var s = township.Repository.Append(n, K.Routed, new CaseActor("t1", "window"), new CaseEventData { TargetNode = City, TargetLevel = NodeLevel.City });
        Assert.False(s.HasConflict);
        Assert.Equal(City, s.Holder);
        Assert.True(s.History[^1].Order > s.History[^2].Order);
    }

    [Fact]
    public void RefreshAll_AfterDaysPass_UpdatesTimeDependentFlags()
    {
        using var store = CaseStoreFixture.Village();
        var n = store.Repository.Submit(Residence()).Number;
        store.Repository.Append(n, K.Accepted, Clerk, CaseEventData.None);
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_view WHERE near_due = 1 AND overdue = 0"));
        store.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_view WHERE overdue = 0"));
        Assert.Equal(1, store.Repository.RefreshAll());
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_view WHERE overdue = 1 AND near_due = 0"));
    }

    [Fact]
    public void OnRowsApplied_CaseRowDeleted_ViewRowRemoved()
    {
        using var store = CaseStoreFixture.Village();
        var n = store.Repository.Submit(Residence()).Number;
        using var conn = store.Provider.OpenSqlite();
        using var tx = conn.BeginTransaction();
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM case_events; DELETE FROM cases;";
            cmd.ExecuteNonQuery();
        }

        store.Repository.OnRowsApplied(conn, tx, [(CaseTables.Cases, n, true), ("items", "X", false)]);
        tx.Commit();
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM case_view"));
    }
}
