using System.Text.Json;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Tests.Catalogue;

public sealed class CatalogueSeederTests
{
    [Fact]
    public void SeedIfEmpty_NewCityStore_WritesEveryShippedRow()
    {
        using var store = new TestStore();
        var data = CatalogueSeedData.LoadEmbedded();

        var result = store.Seed();

        Assert.Equal(data.Departments.Count, result.Departments);
        Assert.Equal(data.Items.Count, result.Items);
        Assert.Equal(data.CalendarDays.Count, result.CalendarDays);
        Assert.Equal(data.Nodes.Count, result.Nodes);
        Assert.Equal(data.Agencies.Count, result.Agencies);
        Assert.Equal(result.Items, store.Scalar("SELECT COUNT(*) FROM items"));
        Assert.Equal(result.Nodes, store.Scalar("SELECT COUNT(*) FROM nodes"));
    }

    [Fact]
    public void SeedIfEmpty_Items_AtLeast24OverAllThreeLevels()
    {
        using var store = new TestStore();
        store.Seed();

        var items = store.Repository.ListItems();

        Assert.True(items.Count >= 24, $"only {items.Count} items");
        foreach (var level in new[] { NodeLevel.City, NodeLevel.Township, NodeLevel.Village })
        {
            Assert.True(items.Count(i => i.HandlingLevel == level) >= 5, $"fewer than 5 items at {level}");
        }

        Assert.All(items, i =>
        {
            Assert.False(string.IsNullOrWhiteSpace(i.LegalBasis), i.Code);
            Assert.False(string.IsNullOrWhiteSpace(i.Conditions), i.Code);
            Assert.False(string.IsNullOrWhiteSpace(i.ServiceLocation), i.Code);
            Assert.False(string.IsNullOrWhiteSpace(i.Phone), i.Code);
            Assert.False(string.IsNullOrWhiteSpace(i.Fees), i.Code);
            Assert.NotEmpty(i.Materials);
            Assert.True(i.PromisedLimitDays <= i.LegalLimitDays, i.Code);
        });
    }

    [Fact]
    public void SeedIfEmpty_ItemsReadBack_EqualTheShippedGuides()
    {
        using var store = new TestStore();
        store.Seed();
        var shipped = CatalogueSeedData.LoadEmbedded().Items.OrderBy(i => i.Code, StringComparer.Ordinal);

        var stored = store.Repository.ListItems();

        // Records holding lists compare lists by reference; compare their JSON form instead.
        Assert.Equal(shipped.Select(i => JsonSerializer.Serialize(i)), stored.Select(i => JsonSerializer.Serialize(i)));
    }

    [Fact]
    public void SeedIfEmpty_BusinessRegistration_ReviewedInParallelByFourDepartments()
    {
        using var store = new TestStore();
        store.Seed();

        var item = store.Repository.GetItem("CITY-BIZ-REG");

        Assert.NotNull(item);
        Assert.Equal(NodeLevel.City, item.HandlingLevel);
        Assert.Equal(["MKT", "PSB", "QS", "TAX"], item.ReviewDepartments.Order(StringComparer.Ordinal));
        Assert.Equal(ReviewRule.AllMustApprove, item.ReviewRule);
        Assert.Equal(1, item.PromisedLimitDays);
        Assert.False(item.OnTheSpot);
        Assert.Contains("2小时", item.Conditions, StringComparison.Ordinal);
    }

    [Fact]
    public void SeedIfEmpty_ConstructionProject_ReviewedByTwentyDepartmentsIn32Days()
    {
        using var store = new TestStore();
        store.Seed();

        var item = store.Repository.GetItem("CITY-CONSTR-JOINT");

        Assert.NotNull(item);
        Assert.Equal(NodeLevel.City, item.HandlingLevel);
        Assert.Equal(20, item.ReviewDepartments.Count);
        Assert.Equal(189, item.LegalLimitDays);
        Assert.Equal(32, item.PromisedLimitDays);
        Assert.True(item.SilentConsent);
        Assert.NotEqual(ReviewRule.None, item.ReviewRule);
        var departments = store.Repository.ListDepartments().Select(d => d.Code).ToHashSet();
        Assert.All(item.ReviewDepartments, d => Assert.Contains(d, departments));
    }

    [Fact]
    public void SeedIfEmpty_ScenarioItems_HaveTheLevelsTheStoriesNeed()
    {
        using var store = new TestStore();
        store.Seed();
        var repo = store.Repository;

        var residence = repo.GetItem("VIL-RESIDENCE-CERT");
        Assert.NotNull(residence);
        Assert.Equal(NodeLevel.Village, residence.HandlingLevel);
        Assert.True(residence.OnTheSpot);
        Assert.Equal(0, residence.PromisedLimitDays);

        var pension = repo.GetItem("CITY-PENSION-TRANSFER");
        Assert.NotNull(pension);
        Assert.Equal(NodeLevel.City, pension.HandlingLevel);
        Assert.True(pension.OnlinePreReview);

        var enrolment = repo.GetItem("TWN-RESIDENT-PENSION");
        Assert.NotNull(enrolment);
        Assert.Equal(NodeLevel.Township, enrolment.HandlingLevel);

        Assert.Equal(NodeLevel.City, repo.GetItem("CITY-PROP-TRANSFER")?.HandlingLevel);
        Assert.NotNull(repo.GetItem("CITY-DISABILITY-CERT"));
        Assert.NotNull(repo.GetItem("CITY-DIBAO"));
    }

    [Fact]
    public void SeedIfEmpty_Calendar_IsExactlyThe2026Notice()
    {
        using var store = new TestStore();
        store.Seed();
        var expected = new List<CalendarDay>();
        void Off(string name, int month, int from, int to)
        {
            for (var d = from; d <= to; d++)
            {
                expected.Add(new CalendarDay(new DateOnly(2026, month, d), false, name));
            }
        }

        void Work(string name, int month, int day) => expected.Add(new CalendarDay(new DateOnly(2026, month, day), true, name));
        Off("元旦", 1, 1, 3);
        Work("元旦", 1, 4);
        Off("春节", 2, 15, 23);
        Work("春节", 2, 14);
        Work("春节", 2, 28);
        Off("清明节", 4, 4, 6);
        Off("劳动节", 5, 1, 5);
        Work("劳动节", 5, 9);
        Off("端午节", 6, 19, 21);
        Off("中秋节", 9, 25, 27);
        Off("国庆节", 10, 1, 7);
        Work("国庆节", 9, 20);
        Work("国庆节", 10, 10);

        var calendar = store.Repository.GetCalendar(2026);

        Assert.Equal(expected.OrderBy(d => d.Date), calendar);
        Assert.Equal(33, calendar.Count(d => !d.Working));
        Assert.All(calendar.Where(d => d.Working), d => Assert.True(d.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, $"{d.Date} is not a weekend day"));
    }

    [Fact]
    public void SeedIfEmpty_Registry_HasCityTwentyOneTownshipsAnd104VillagesWithConsistentScopes()
    {
        using var store = new TestStore();
        store.Seed();

        var nodes = store.Repository.ListNodes();

        Assert.Equal(126, nodes.Count);
        var city = Assert.Single(nodes, n => n.Level == NodeLevel.City);
        Assert.Equal("city", city.Id);
        Assert.Null(city.ParentId);
        Assert.Equal("city", city.Scope);
        var townships = nodes.Where(n => n.Level == NodeLevel.Township).ToList();
        Assert.Equal(Enumerable.Range(1, 21).Select(i => $"t{i:00}"), townships.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Equal(104, nodes.Count(n => n.Level == NodeLevel.Village));
        var byId = nodes.ToDictionary(n => n.Id);
        foreach (var node in nodes.Where(n => n.Level != NodeLevel.City))
        {
            var parent = byId[node.ParentId!];
            Assert.Equal((int)parent.Level + 1, (int)node.Level);
            Assert.Equal(parent.Scope + "/" + node.Id, node.Scope);
        }

        Assert.All(townships, t => Assert.True(store.Repository.GetChildren(t.Id).Count >= 2, $"{t.Id} has fewer than 2 villages"));
        Assert.Contains("大洛沟", byId["t01-v01"].Name, StringComparison.Ordinal);
        Assert.Equal("city/t01/t01-v01", byId["t01-v01"].Scope);
        Assert.Contains("青云街道", byId["t01"].Name, StringComparison.Ordinal);
    }

    [Fact]
    public void SeedIfEmpty_Twice_WritesNothingNew()
    {
        using var store = new TestStore();
        var first = store.Seed();
        var logRows = store.Scalar("SELECT COUNT(*) FROM _sync_log");
        var maxSeq = store.Scalar("SELECT MAX(seq) FROM _sync_log");

        var second = store.Seed();

        Assert.True(first.Total > 0);
        Assert.Equal(0, second.Total);
        Assert.Equal(logRows, store.Scalar("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal(maxSeq, store.Scalar("SELECT MAX(seq) FROM _sync_log"));
    }

    [Fact]
    public void SeedIfEmpty_TableAlreadyHoldingRows_IsLeftAlone()
    {
        using var store = new TestStore();
        using (var tx = store.Sync.BeginWrite())
        {
            tx.Upsert("departments", ["XYZ", "测试部门", "Test department"]);
            tx.Commit();
        }

        var result = store.Seed();

        Assert.Equal(0, result.Departments);
        Assert.True(result.Items > 0);
        Assert.Equal(["XYZ"], store.Repository.ListDepartments().Select(d => d.Code));
    }

    [Fact]
    public void SeedIfEmpty_CalendarYearAlreadyEntered_IsLeftAlone()
    {
        using var store = new TestStore();
        using (var tx = store.Sync.BeginWrite())
        {
            tx.Upsert("calendar_days", ["2026-01-01", 0L, "元旦（市里已录入）"]);
            tx.Commit();
        }

        var result = store.Seed();

        Assert.Equal(0, result.CalendarDays);
        Assert.Equal("元旦（市里已录入）", Assert.Single(store.Repository.GetCalendar(2026)).Name);
    }

    [Fact]
    public void SeedIfEmpty_OtherYearAlreadyEntered_StillSeedsTheShippedYear()
    {
        using var store = new TestStore();
        using (var tx = store.Sync.BeginWrite())
        {
            tx.Upsert("calendar_days", ["2027-01-01", 0L, "元旦"]);
            tx.Commit();
        }

        var result = store.Seed();

        Assert.Equal(39, result.CalendarDays);
        Assert.Equal(39, store.Repository.GetCalendar(2026).Count);
        Assert.Single(store.Repository.GetCalendar(2027));
    }

    [Fact]
    public void SeedIfEmpty_Items_SpanTheCategoriesOfTownshipCentresAndVillageStations()
    {
        using var store = new TestStore();
        store.Seed();

        // The report: townships handle 10 categories, village stations 9.
        Assert.True(store.Repository.ListItems(NodeLevel.Township).Select(i => i.Category).Distinct().Count() >= 10);
        Assert.True(store.Repository.ListItems(NodeLevel.Village).Select(i => i.Category).Distinct().Count() >= 9);
    }

    [Fact]
    public void SeedIfEmpty_SeededRows_AreCapturedInSyncLog()
    {
        using var store = new TestStore();
        var result = store.Seed();

        Assert.Equal(result.Total, store.Scalar("SELECT COUNT(*) FROM _sync_log"));
        foreach (var table in CatalogueTables.All)
        {
            Assert.Equal(
                store.Scalar($"SELECT COUNT(*) FROM {table.Name}"),
                store.Scalar($"SELECT COUNT(*) FROM _sync_log WHERE tbl = '{table.Name}' AND origin = 'city' AND scope IS NULL AND deleted = 0"));
        }

        Assert.Equal(1, store.Scalar("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'items' AND pk = 'CITY-BIZ-REG'"));
        Assert.Equal(result.Total, store.Scalar("SELECT COUNT(DISTINCT seq) FROM _sync_log"));
    }

    [Fact]
    public void SeedIfEmpty_AtVillage_ThrowsAndWritesNothing()
    {
        using var store = new TestStore("t01-v01", NodeLevel.Village);

        Assert.Throws<InvalidOperationException>(() => CatalogueSeeder.SeedIfEmpty(store.Sync, new NodeIdentity("t01-v01", NodeLevel.Village)));
        Assert.Equal(0, store.Scalar("SELECT COUNT(*) FROM _sync_log"));
    }

    [Fact]
    public void Validate_ItemNamingUnknownDepartment_Throws()
    {
        var data = CatalogueSeedData.LoadEmbedded();
        var items = data.Items.ToList();
        items[0] = items[0] with { ReviewDepartments = ["MKT", "NOPE"], ReviewRule = ReviewRule.AllMustApprove };

        var error = Assert.Throws<InvalidDataException>(() => (data with { Items = items }).Validate());

        Assert.Contains("NOPE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VillageWithWrongScope_Throws()
    {
        var data = CatalogueSeedData.LoadEmbedded();
        var nodes = data.Nodes.Select(n => n.Id == "t01-v01" ? n with { Scope = "city/t02/t01-v01" } : n).ToList();

        var error = Assert.Throws<InvalidDataException>(() => (data with { Nodes = nodes }).Validate());

        Assert.Contains("t01-v01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReviewLimitBeyondPromisedLimit_Throws()
    {
        var data = CatalogueSeedData.LoadEmbedded();
        var items = data.Items.Select(i => i.Code == "CITY-BIZ-REG" ? i with { ReviewLimitDays = 2 } : i).ToList();

        var error = Assert.Throws<InvalidDataException>(() => (data with { Items = items }).Validate());

        Assert.Contains("CITY-BIZ-REG", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadEmbedded_ShippedFiles_PassValidation()
    {
        var data = CatalogueSeedData.LoadEmbedded();

        data.Validate();
        Assert.True(data.Departments.Count >= 20);
        Assert.True(data.Agencies.Count >= 3);
    }

    [Fact]
    public void Validate_OnTheSpotItemWithPromisedDays_Throws()
    {
        var data = CatalogueSeedData.LoadEmbedded();
        var items = data.Items.Select(i => i.Code == "VIL-RESIDENCE-CERT" ? i with { PromisedLimitDays = 2, LegalLimitDays = 5 } : i).ToList();

        Assert.Throws<InvalidDataException>(() => (data with { Items = items }).Validate());
    }
}
