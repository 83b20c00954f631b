using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;
using K = ServiceHall.Core.Cases.CaseEventKind;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>
/// A change to the working calendar at the city (<see cref="CatalogueRepository.SetCalendarDay"/>, <see cref="CatalogueRepository.ClearCalendarDay"/>)
/// re-derives the stored figures of the cases it can move, in its own transaction, so <see cref="CaseRepository.Statistics"/>
/// (settled cases summed over <c>case_view</c>) keeps giving the figures of every case derived now (the agreement
/// <see cref="CaseStatisticsAggregationTests"/> checks for a varied set of cases). A city store with the
/// seeded catalogue and calendar, wired as a node wires it (<see cref="DomainRegistration.ConnectServiceHallDomain"/>).
/// The same over sync between real nodes: <c>ServiceHall.Integration.Tests</c>' <c>CalendarRefreshNetworkTests</c>.
/// </summary>
public sealed class CalendarRefreshTests : IDisposable
{
    // CITY-FOOD-LIC: promised 5 working days, no parallel review. Accepted Mon Nov 16 2026 (no calendar exception that
    // month), due Mon Nov 23; decided Tue Nov 24: one working day late, 6 working days taken.
    private const string Item = "CITY-FOOD-LIC";
    private static readonly DateOnly Holiday = new(2026, 11, 18);
    private readonly FakeTimeProvider _time = new(Local(11, 13, 8));
    private readonly string _dir = Directory.CreateTempSubdirectory("servicehall-calendar-").FullName;
    private readonly SyncStore _sync;
    private readonly CatalogueRepository _catalogue;
    private readonly CaseRepository _cases;
    private readonly ServiceProvider _services;

    public CalendarRefreshTests()
    {
        var provider = new SqliteStoreProvider(Path.Combine(_dir, "city.db"));
        Migrator.Apply(provider, SyncStore.Component, SyncStore.Migrations, _time);
        ServiceHallMigrations.Apply(provider, _time);
        _sync = new SyncStore(provider, ServiceHallSchema.Create(), "city", _time);
        _sync.SetNodeScope("city");
        var identity = new NodeIdentity("city", NodeLevel.City);
        CatalogueSeeder.SeedIfEmpty(_sync, identity);
        _catalogue = new CatalogueRepository(_sync, identity);
        _cases = new CaseRepository(_sync, new CatalogueCaseCatalogue(_catalogue), identity);
        _services = new ServiceCollection().AddSingleton(_sync).AddSingleton(_catalogue).AddSingleton(_cases).BuildServiceProvider();
        _services.ConnectServiceHallDomain();
    }

    [Fact]
    public void RetroactiveHoliday_SetAtTheCity_MovesTheSettledCaseFigures_AndClearingItRestoresThem()
    {
        var n = DecidedLate();
        _time.SetUtcNow(Local(11, 27, 9));
        var before = _cases.Statistics();
        AssertSame(Derived(), before);
        Assert.Equal((1, 0, 1, 0), (before.Total.Decided, before.Total.OnTime, before.Total.Overdue, before.Total.DecidedWithinThreeWorkingDays));
        Assert.Equal("2026-11-23", DueDate(n));

        // Wed Nov 18, already past and counted as a working day by the case's deadline, becomes a day off.
        _catalogue.SetCalendarDay(Holiday, working: false, "临时假日");
        var after = _cases.Statistics();
        AssertSame(Derived(), after);
        Assert.Equal((1, 1, 0), (after.Total.Decided, after.Total.OnTime, after.Total.Overdue));
        Assert.Equal((1, 0), (Row(after.ByItem, Item).OnTime, Row(after.ByDepartment, "MKT").Overdue));
        Assert.Equal("2026-11-24", DueDate(n));

        // Cleared again: the original figures.
        Assert.True(_catalogue.ClearCalendarDay(Holiday));
        var cleared = _cases.Statistics();
        AssertSame(Derived(), cleared);
        AssertSame(before, cleared);
        Assert.Equal("2026-11-23", DueDate(n));
    }

    [Fact]
    public void MakeUpWorkingDay_SetAtTheCity_CountsForSettledCases()
    {
        // Accepted Fri Nov 13, promised 5 → due Fri Nov 20; decided Fri Nov 20: on time. Sat Nov 14 made a working day (after
        // the decision) → due Thu Nov 19: the settled case was late.
        var n = Decided(Local(11, 13, 9), Local(11, 20, 10)).Number;
        Assert.Equal("2026-11-20", DueDate(n));
        Assert.Equal(1, _cases.Statistics().Total.OnTime);

        _catalogue.SetCalendarDay(new DateOnly(2026, 11, 14), working: true, "调休上班");
        Assert.Equal("2026-11-19", DueDate(n));
        var after = _cases.Statistics();
        AssertSame(Derived(), after);
        Assert.Equal((0, 1), (after.Total.OnTime, after.Total.Overdue));
    }

    [Fact]
    public void NextYearSeeded_ByALaterRelease_MovesTheSettledCaseFigures()
    {
        // Accepted Mon Dec 28 2026, promised 5 → due Mon Jan 4 2027 while 2027 has no exceptions; decided Tue Jan 5: late.
        var n = Decided(Local(12, 28, 9), new DateTimeOffset(2027, 1, 5, 10, 0, 0, TimeSpan.FromHours(8))).Number;
        Assert.Equal((0, 1), (_cases.Statistics().Total.OnTime, _cases.Statistics().Total.Overdue));

        // A release ships calendar-2027 (New Year's Day off); the node seeds it at start, as InitializeServiceHallStore does.
        var data = CatalogueSeedData.LoadEmbedded() with { CalendarDays = [new CalendarDay(new DateOnly(2027, 1, 1), false, "元旦")] };
        Assert.Equal(1, CatalogueSeeder.SeedIfEmpty(_sync, _catalogue.Node, data, _catalogue.OnCalendarChanged).CalendarDays);
        Assert.Equal("2027-01-05", DueDate(n));
        var after = _cases.Statistics();
        AssertSame(Derived(), after);
        Assert.Equal((1, 0), (after.Total.OnTime, after.Total.Overdue));
    }

    [Fact]
    public void CalendarChange_WithThousandsOfSettledCases_RefreshesThemInOneTransactionQuickly()
    {
        const int count = 3000;
        var template = _cases.Get(DecidedLate())!;
        using (var tx = _sync.BeginWrite())
        {
            // Copies of the decided case (its rows as sync would deliver them), so the set is quick to build.
            for (var i = 1; i < count; i++)
            {
                var number = $"city-20261116-{i + 1:D4}";
                tx.Upsert(CaseTables.Cases, CaseRows.HeaderValues(template.Header with { Number = number }));
                foreach (var e in template.History)
                {
                    tx.Upsert(CaseTables.Events, CaseRows.EventValues(e with { Id = $"{e.Id}-{i}", CaseNumber = number }, "city"));
                }
            }

            tx.Commit();
        }

        Assert.Equal(count, _cases.RefreshAll());
        _time.SetUtcNow(Local(11, 27, 9));
        Assert.Equal((0, count), (_cases.Statistics().Total.OnTime, _cases.Statistics().Total.Overdue));

        var watch = Stopwatch.StartNew();
        _catalogue.SetCalendarDay(Holiday, working: false, "临时假日");
        watch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"SetCalendarDay with {count} settled cases re-derived: {watch.ElapsedMilliseconds} ms");
        Assert.Equal((count, 0), (_cases.Statistics().Total.OnTime, _cases.Statistics().Total.Overdue));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void CalendarChange_NeverAcceptedCases_KeepTheirRows()
    {
        // A case never accepted has no deadline: its row is not among those re-derived (refreshed_at stays).
        var n = _cases.Submit(new CaseSubmission(Item, "王五", "370982199001010033", null, CaseChannel.Window, Clerk)).Number;
        var accepted = DecidedLate();
        var refreshed = Scalar($"SELECT refreshed_at FROM case_view WHERE number = '{n}'");
        var acceptedRefreshed = Scalar($"SELECT refreshed_at FROM case_view WHERE number = '{accepted}'");
        _time.SetUtcNow(Local(11, 27, 9));
        _catalogue.SetCalendarDay(Holiday, working: false, "临时假日");
        Assert.Equal(refreshed, Scalar($"SELECT refreshed_at FROM case_view WHERE number = '{n}'"));
        Assert.NotEqual(acceptedRefreshed, Scalar($"SELECT refreshed_at FROM case_view WHERE number = '{accepted}'"));
        AssertSame(Derived(), _cases.Statistics());
    }

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static CaseActor Clerk { get; } = new("u-mkt", "MKT");

    private static DateTimeOffset Local(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The case of the class comment: accepted Mon Nov 16, decided Tue Nov 24 (due Nov 23).</summary>
    private string DecidedLate()
    {
        var decided = Decided(Local(11, 16, 9), Local(11, 24, 10));
        Assert.Equal((6, true), (decided.ElapsedWorkingDays, decided.Overdue));
        return decided.Number;
    }

    /// <summary>A case of <see cref="Item"/> filed and accepted at <paramref name="accepted"/>, approved at <paramref name="decided"/>.</summary>
    private CaseState Decided(DateTimeOffset accepted, DateTimeOffset decided)
    {
        _time.SetUtcNow(accepted);
        var n = _cases.Submit(new CaseSubmission(Item, "张三", "370982199001010011", null, CaseChannel.Window, Clerk)).Number;
        _cases.Append(n, K.Accepted, Clerk, CaseEventData.None);
        _time.SetUtcNow(decided);
        return _cases.Append(n, K.Decided, Clerk, new CaseEventData { Approved = true, Reason = "准予许可" });
    }

    private CaseStatisticsReport Derived() => CaseStatistics.Compute(_cases.All(), _catalogue.GetItem);

    private string? DueDate(string number) => Scalar($"SELECT due_date FROM case_view WHERE number = '{number}'");

    private string? Scalar(string sql)
    {
        using var conn = _sync.Store.Open();
        using var cmd = conn.Command(sql);
        return cmd.ExecuteScalar() as string;
    }

    private static CaseStatisticsRow Row(IReadOnlyList<CaseStatisticsRow> rows, string key) => Assert.Single(rows, r => r.Key == key);

    private static void AssertSame(CaseStatisticsReport expected, CaseStatisticsReport actual) => CaseStatisticsAggregationTests.AssertSame(expected, actual);
}
