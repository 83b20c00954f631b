using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>
/// <see cref="CaseRepository.Statistics"/> (settled cases summed in SQL over <c>case_view</c>, live ones derived) gives the
/// figures of <see cref="CaseStatistics.Compute"/> over every case derived from its history, for a varied set of cases and
/// at several "now"s of a fake clock.
/// </summary>
public sealed class CaseStatisticsAggregationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(Local(11, 27, 9));
    private readonly CaseStoreFixture _village;
    private readonly CaseStoreFixture _t02;
    private readonly CaseStoreFixture _t02Apart;
    private readonly CaseStoreFixture _city;

    public CaseStatisticsAggregationTests()
    {
        _village = CaseStoreFixture.Village(_time);
        _t02 = new CaseStoreFixture("t02", NodeLevel.Township, "city/t02", _time);
        _t02Apart = new CaseStoreFixture("t02", NodeLevel.Township, "city/t02", _time);
        _city = CaseStoreFixture.City(_time);
    }

    [Fact]
    public void Statistics_VariedCasesAtSeveralNows_SameAsDerivingEveryCase()
    {
        TakeVariedCases();

        // The day of the late actions, and later as open cases run further past their limits and the paused deadline moves.
        foreach (var now in new[] { Local(12, 18, 17), Local(12, 22, 9), Local(12, 31, 16) })
        {
            _time.SetUtcNow(now);
            var expected = Derived();
            AssertSame(expected, _city.Repository.Statistics());
        }

        // The set is varied enough to mean something: every kind of figure is non-zero somewhere (as of Dec 31).
        var r = _city.Repository.Statistics();
        Assert.True(r.Total.Overdue >= 2, $"overdue {r.Total.Overdue}");
        Assert.True(r.Total.Conflicts >= 1, $"conflicts {r.Total.Conflicts}");
        Assert.True(r.Total.Rated >= 2 && r.Total.DecidedOnTheSpot >= 2, $"rated {r.Total.Rated}, on the spot {r.Total.DecidedOnTheSpot}");
        Assert.True(r.Total.Decided > r.Total.DecidedWithinThreeWorkingDays, "no case decided after 3 working days");
        Assert.True(r.ByDepartment.Sum(d => d.ReviewsAnsweredLate) >= 1, "no review answered late");
        Assert.True(r.ByDepartment.Sum(d => d.ReviewsOverdue) >= 1, "no review overdue");
        Assert.Equal(["city", "t01", "t02"], r.ByTownship.Select(t => t.Key));
    }

    [Fact]
    public void Statistics_NearDueDay_CountsOpenCasesAsOfNow()
    {
        // Accepted Mon Dec 7, 5 working days → due Mon Dec 14: not near due on Dec 7, near due on Dec 11 and 14, overdue on the 15th.
        _time.SetUtcNow(Local(12, 7, 9));
        var n = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(n, K.Accepted, A("social"), CaseEventData.None);
        _t02.CopyCasesTo(_city);
        foreach (var (day, nearDue, overdue) in new[] { (7, 0, 0), (11, 1, 0), (14, 1, 0), (15, 0, 1) })
        {
            _time.SetUtcNow(Local(12, day, 10));
            var r = _city.Repository.Statistics();
            AssertSame(Derived(), r);
            Assert.Equal((nearDue, overdue), (r.Total.NearDue, r.Total.Overdue));
        }
    }

    [Fact]
    public void Statistics_ViewRowsOfAnOlderDerivationOrMissing_StillCountedAsDerived()
    {
        TakeVariedCases();
        _time.SetUtcNow(Local(12, 28, 9));
        var expected = Derived();
        using (var conn = _city.Provider.OpenSqlite())
        using (var cmd = conn.CreateCommand())
        {
            // As a store migrated from before the statistics columns (derivation 0), and a case whose row was never written.
            cmd.CommandText = """
                UPDATE case_view SET derivation = 0, decided_on_the_spot = 0, decided_within_three = 0, lead_department = NULL
                WHERE number IN (SELECT number FROM case_view ORDER BY number LIMIT 4);
                DELETE FROM case_view_reviews;
                DELETE FROM case_view WHERE number = (SELECT MAX(number) FROM case_view);
                """;
            cmd.ExecuteNonQuery();
        }

        AssertSame(expected, _city.Repository.Statistics());
        Assert.Equal(0, _city.Count("SELECT COUNT(*) FROM case_view_reviews"));
        // Settled rows of the current derivation are what SQL sums; a refresh brings every row back to it.
        _city.Repository.RefreshAll();
        AssertSame(expected, _city.Repository.Statistics());
        Assert.Equal(0, _city.Count("SELECT COUNT(*) FROM case_view WHERE derivation <> 1"));
    }

    [Fact]
    public void Statistics_NoCases_EmptyReport()
    {
        var r = _city.Repository.Statistics();
        Assert.Equal(0, r.Total.Cases);
        Assert.Empty(r.ByTownship);
        Assert.Empty(r.ByItem);
        Assert.Empty(r.ByDepartment);
    }

    public void Dispose()
    {
        _village.Dispose();
        _t02.Dispose();
        _t02Apart.Dispose();
        _city.Dispose();
    }

    private static DateTimeOffset Local(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    private static CaseActor A(string dept) => new("u-" + dept, dept);

    private static CaseSubmission Sub(ServiceItem item, CaseChannel channel = CaseChannel.Window) => new(item.Code, "赵六", "370982199001010044", null, channel, A("window"));

    private CaseStatisticsReport Derived() => CaseStatistics.Compute(_city.Repository.All(), TestCatalogue.Default.FindItem);

    /// <summary>The two reports agree in every row (also used by <see cref="CalendarRefreshTests"/>).</summary>
    internal static void AssertSame(CaseStatisticsReport expected, CaseStatisticsReport actual)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.ByTownship, actual.ByTownship);
        Assert.Equal(expected.ByItem, actual.ByItem);
        Assert.Equal(expected.ByDepartment, actual.ByDepartment);
    }

    /// <summary>Cases at a village of t01, at t02 (and at t02 apart from itself, for a conflict) and at the city, synced to the city.</summary>
    private void TakeVariedCases()
    {
        // Village: two on-the-spot certificates decided, delivered and rated; one rejected; one withdrawn before acceptance;
        // one only submitted; one online case that fails pre-review.
        _village.Repository.TakeThroughToRating(ResidenceCertificate, 5);
        _village.Repository.TakeThroughToRating(ResidenceCertificate, 2);

        var rejected = _village.Repository.Submit(Sub(ResidenceCertificate)).Number;
        _village.Repository.Append(rejected, K.Accepted, A("civil"), CaseEventData.None);
        _village.Repository.Append(rejected, K.Decided, A("civil"), new CaseEventData { Approved = false, Reason = "not resident" });
        var withdrawn = _village.Repository.Submit(Sub(ResidenceCertificate)).Number;
        _village.Repository.Append(withdrawn, K.Withdrawn, A("window"), CaseEventData.None);
        _village.Repository.Submit(Sub(ResidenceCertificate));
        var online = _village.Repository.Submit(Sub(ResidenceCertificate, CaseChannel.Online)).Number;
        _village.Repository.Append(online, K.PreReviewFailed, A("civil"), new CaseEventData { Reason = "photo missing" });

        // Township t02: one left open (overdue later), one paused for correction, one withdrawn after acceptance, one decided
        // late; and one decided at t02 while withdrawn at t02 apart (a conflict).
        var open = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(open, K.Accepted, A("social"), CaseEventData.None);
        var paused = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(paused, K.Accepted, A("social"), CaseEventData.None);
        _t02.Repository.Append(paused, K.CorrectionRequested, A("social"), new CaseEventData { Materials = ["contract"] });
        var withdrawnAccepted = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(withdrawnAccepted, K.Accepted, A("social"), CaseEventData.None);
        _t02.Repository.Append(withdrawnAccepted, K.Withdrawn, A("window"), CaseEventData.None);
        var late = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(late, K.Accepted, A("social"), CaseEventData.None);
        var apart = _t02.Repository.Submit(Sub(TownshipPension)).Number;
        _t02.Repository.Append(apart, K.Accepted, A("social"), CaseEventData.None);
        _t02.CopyCasesTo(_t02Apart);

        // City: business registration approved the same day with four opinions; construction with one opinion and the rest
        // left to run past the review limit; a second construction whose opinion comes late, then decided.
        _city.Repository.TakeThroughToRating(BusinessRegistration, 4);
        var construction = _city.Repository.Submit(Sub(Construction)).Number;
        _city.Repository.Append(construction, K.Accepted, A("housing"), CaseEventData.None);
        _city.Repository.Append(construction, K.OpinionRecorded, A("planning"), new CaseEventData { Department = "planning", Opinion = OpinionKind.Approve });
        var slow = _city.Repository.Submit(Sub(Construction)).Number;
        _city.Repository.Append(slow, K.Accepted, A("housing"), CaseEventData.None);

        // Three weeks on (15 working days): the late ones.
        _time.SetUtcNow(Local(12, 18, 10));
        _t02.Repository.Append(late, K.Decided, A("social"), new CaseEventData { Approved = true });
        _t02.Repository.Append(apart, K.Decided, A("social"), new CaseEventData { Approved = true });
        _t02Apart.Repository.Append(apart, K.Withdrawn, A("window"), CaseEventData.None);
        _city.Repository.Append(slow, K.OpinionRecorded, A("fire"), new CaseEventData { Department = "fire", Opinion = OpinionKind.Approve });
        foreach (var dept in new[] { "housing", "planning", "environment" })
        {
            _city.Repository.Append(slow, K.OpinionRecorded, A(dept), new CaseEventData { Department = dept, Opinion = OpinionKind.Approve });
        }

        _city.Repository.Append(slow, K.Decided, A("housing"), new CaseEventData { Approved = true });

        _village.CopyCasesTo(_city);
        _t02.CopyCasesTo(_city);
        _t02Apart.CopyCasesTo(_city);
    }
}
