using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Cases;
using ServiceHall.Protos.V1;
using static ServiceHall.Integration.Tests.Hosting.ClerkCredentials;
using CaseChannel = ServiceHall.Core.Cases.CaseChannel;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>
/// A retroactive change of the working calendar reaches the dashboards of a real network: the city and township t01, each a
/// node on Kestrel (127.0.0.1, dynamic port) with its own SQLite store, on one fake clock. A case settled at t01 and pushed
/// to the city keeps its figures in each node's <c>case_view</c>; the city administrator declares a past day a holiday
/// through the Catalogue service, and the stored figures follow — at the city in the edit's own transaction, at the
/// township in the transaction that applies the calendar row it pulls — so <see cref="CaseRepository.Statistics"/> keeps
/// agreeing with every case derived now. Clearing the day restores the original figures on both nodes.
/// </summary>
public sealed class CalendarRefreshNetworkTests : IAsyncLifetime
{
    // Mon Nov 16 2026 09:00 in Xintai; no calendar exception in November.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 16, 9, 0, 0, TimeSpan.FromHours(8)));
    private readonly LoopbackNetwork _network;

    public CalendarRefreshNetworkTests() => _network = new LoopbackNetwork(_time);

    public async ValueTask InitializeAsync()
    {
        await _network.StartAsync("city", NodeLevel.City, null);
        await _network.StartAsync("t01", NodeLevel.Township, "city");
        await SyncAsync("t01");
    }

    public ValueTask DisposeAsync() => _network.DisposeAsync();

    [Fact]
    public async Task RetroactiveHoliday_FromTheCityAdministrator_MovesTheSettledFigures_AtTheCityAndThroughSyncAtTheTownship()
    {
        var ct = TestContext.Current.CancellationToken;

        // TWN-PENSION-CLAIM, promised 5 working days: accepted at t01 Mon Nov 16 (due Mon Nov 23), decided Tue Nov 24 — late.
        var t01 = Cases("t01");
        var clerk = new CaseActor("u-hrss", "HRSS");
        var n = t01.Submit(new CaseSubmission("TWN-PENSION-CLAIM", "张三", "370982199001010011", null, CaseChannel.Window, clerk)).Number;
        t01.Append(n, CaseEventKind.Accepted, clerk, CaseEventData.None);
        _time.SetUtcNow(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(8)));
        Assert.True(t01.Append(n, CaseEventKind.Decided, clerk, new CaseEventData { Approved = true, Reason = "符合条件" }).Overdue);
        await SyncAsync("t01");
        Assert.NotNull(Cases("city").Get(n));

        _time.SetUtcNow(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(8)));
        var before = Dashboards();
        foreach (var (node, report) in before)
        {
            Assert.True((report.Total.OnTime, report.Total.Overdue) == (0, 1), $"{node}: on time {report.Total.OnTime}, overdue {report.Total.Overdue}");
        }

        // Wed Nov 18, long past, becomes a day off: the case was due Tue Nov 24 and was on time.
        var atCity = new Catalogue.CatalogueClient(_network.Channel("city"));
        var admin = FirstAdministrator(Path.Combine(_network.Directory, "city"));
        await atCity.SetCalendarDayAsync(new SetCalendarDayRequest { Date = "2026-11-18", Working = false, Name = "临时假日" }, admin, cancellationToken: ct);
        Assert.Equal((1, 0), Figures(Dashboard("city")));
        Assert.Equal((0, 1), Figures(Dashboard("t01"))); // not pulled yet
        await SyncAsync("t01");
        Assert.Equal((1, 0), Figures(Dashboard("t01")));
        Assert.Equal(1, Dashboard("t01").ByTownship.Single(t => t.Key == "t01").OnTime);

        // Cleared: the tombstone restores the original figures everywhere.
        Assert.True((await atCity.ClearCalendarDayAsync(new ClearCalendarDayRequest { Date = "2026-11-18" }, admin, cancellationToken: ct)).Removed);
        Assert.Equal((0, 1), Figures(Dashboard("city")));
        await SyncAsync("t01");
        foreach (var (node, report) in before)
        {
            AssertSame(report, Dashboard(node));
        }
    }

    private static (int OnTime, int Overdue) Figures(CaseStatisticsReport r) => (r.Total.OnTime, r.Total.Overdue);

    private Dictionary<string, CaseStatisticsReport> Dashboards() => _network.Ids.ToDictionary(n => n, Dashboard);

    /// <summary>The node's dashboard, checked against every case derived now (the figures the SQL sums must give).</summary>
    private CaseStatisticsReport Dashboard(string node)
    {
        var cases = Cases(node);
        var catalogue = _network.Service<ICaseCatalogue>(node);
        var report = cases.Statistics();
        AssertSame(CaseStatistics.Compute(cases.All(), catalogue.FindItem), report);
        return report;
    }

    private static void AssertSame(CaseStatisticsReport expected, CaseStatisticsReport actual)
    {
        Assert.Equal(expected.Total, actual.Total);
        Assert.Equal(expected.ByTownship, actual.ByTownship);
        Assert.Equal(expected.ByItem, actual.ByItem);
        Assert.Equal(expected.ByDepartment, actual.ByDepartment);
    }

    private CaseRepository Cases(string node) => _network.Service<CaseRepository>(node);

    private Task SyncAsync(string node) => _network.SyncAsync(node);
}
