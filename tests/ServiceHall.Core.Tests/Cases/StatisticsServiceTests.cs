using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

public sealed class StatisticsServiceTests
{
    private static DateTimeOffset Local(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    private static CaseActor A(string dept) => new("u-" + dept, dept);

    private static CaseSubmission Sub(ServiceItem item) => new(item.Code, "赵六", "370982199001010044", null, CaseChannel.Window, A("window"));

    /// <summary>
    /// Seven cases across a village of t01, township t02 and the city, synced to the city; the expected figures below are
    /// counted by hand from this script, not from the code under test.
    /// </summary>
    [Fact]
    public async Task GetStatistics_CityAfterSync_AgreesWithHandCountedCases()
    {
        var time = new FakeTimeProvider(Local(11, 27, 9));
        using var village = CaseStoreFixture.Village(time);
        using var t02 = new CaseStoreFixture("t02", NodeLevel.Township, "city/t02", time);
        using var city = CaseStoreFixture.City(time);

        // A, B: village on-the-spot items, decided at once, delivered, rated 5 and 3. C: withdrawn.
        village.Repository.TakeThroughToRating(ResidenceCertificate, 5);
        village.Repository.TakeThroughToRating(ResidenceCertificate, 3);

        var c = village.Repository.Submit(Sub(ResidenceCertificate)).Number;
        village.Repository.Append(c, K.Withdrawn, A("window"), CaseEventData.None);

        // D: township item accepted Fri Nov 27, 5 working days → due Fri Dec 4, left open (overdue by Dec 14).
        var d = t02.Repository.Submit(Sub(TownshipPension)).Number;
        t02.Repository.Append(d, K.Accepted, A("social"), CaseEventData.None);

        // E: business registration at the city, four opinions, approved the same day, rated 4.
        city.Repository.TakeThroughToRating(BusinessRegistration, 4);

        // F: construction at the city, only planning answers; review limit 10 working days → Fri Dec 11.
        var f = city.Repository.Submit(Sub(Construction)).Number;
        city.Repository.Append(f, K.Accepted, A("housing"), CaseEventData.None);
        city.Repository.Append(f, K.OpinionRecorded, A("planning"), new CaseEventData { Department = "planning", Opinion = OpinionKind.Approve });

        // G: township item accepted Mon Dec 7 → due Mon Dec 14: near due on Dec 14.
        time.SetUtcNow(Local(12, 7, 9));
        var g = t02.Repository.Submit(Sub(TownshipPension)).Number;
        t02.Repository.Append(g, K.Accepted, A("social"), CaseEventData.None);

        village.CopyCasesTo(city);
        t02.CopyCasesTo(city);
        time.SetUtcNow(Local(12, 14, 10));

        var reply = await new StatisticsService(city.Repository, time).GetStatistics(new P.GetStatisticsRequest(), city.As("adm", role: ServiceHall.Core.Clerks.ClerkRole.Manager));

        var total = reply.Total;
        Assert.Equal((7, 6, 3), (total.Cases, total.Accepted, total.Decided));
        Assert.Equal(1.0, total.OnTheSpotShare);
        Assert.Equal(1.0, total.WithinThreeWorkingDaysShare);
        Assert.Equal(5.0 / 6, total.OnTimeRate, 6);
        Assert.Equal((1, 1), (total.Overdue, total.NearDue));
        Assert.Equal((3, 4.0), (total.Rated, total.AverageRating));

        var towns = reply.ByTownship.ToDictionary(r => r.Key);
        Assert.Equal(["city", "t01", "t02"], towns.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((3, 2, 4.0), (towns["t01"].Cases, towns["t01"].Decided, towns["t01"].AverageRating));
        Assert.Equal((2, 1, 1, 0), (towns["t02"].Cases, towns["t02"].Overdue, towns["t02"].NearDue, towns["t02"].Decided));
        Assert.Equal((2, 1, 4.0), (towns["city"].Cases, towns["city"].Decided, towns["city"].AverageRating));

        var items = reply.ByItem.ToDictionary(r => r.Key);
        Assert.Equal(3, items[ResidenceCertificate.Code].Cases);
        Assert.Equal(0.5, items[TownshipPension.Code].OnTimeRate);

        var depts = reply.ByDepartment.ToDictionary(r => r.Key);
        Assert.Equal((1, 1, 0), (depts["fire"].Cases, depts["fire"].ReviewsOverdue, depts["fire"].Decided));
        Assert.Equal(0, depts["planning"].ReviewsOverdue);
        Assert.Equal((1, 1), (depts["housing"].Reviews, depts["housing"].ReviewsOverdue));
        Assert.Equal((1, 1, 0), (depts["tax"].Cases, depts["tax"].Reviews, depts["tax"].ReviewsOverdue));
        Assert.Equal(3, depts["civil"].Cases);
        Assert.Equal((2, 1), (depts["social"].Cases, depts["social"].Overdue));
        Assert.Equal(time.GetUtcNow(), reply.ComputedAt.ToDateTimeOffset());
    }

    [Fact]
    public async Task GetStatistics_NoCases_ZeroesNotNaN()
    {
        using var city = CaseStoreFixture.City();
        var reply = await new StatisticsService(city.Repository, city.Time).GetStatistics(new P.GetStatisticsRequest(), city.As("adm", role: ServiceHall.Core.Clerks.ClerkRole.Manager));
        Assert.Equal(0, reply.Total.Cases);
        Assert.Equal(0, reply.Total.OnTimeRate);
        Assert.Equal(0, reply.Total.AverageRating);
        Assert.Empty(reply.ByTownship);
    }
}
