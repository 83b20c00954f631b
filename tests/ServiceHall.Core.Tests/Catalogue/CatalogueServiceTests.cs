using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Api;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using V1 = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Catalogue;

public sealed class CatalogueServiceTests : IDisposable
{
    private readonly TestStore _store = new();
    private readonly CatalogueService _service;
    private readonly ServerCallContext _context = TestServerCallContext.Create(TestContext.Current.CancellationToken);

    public CatalogueServiceTests()
    {
        _store.Seed();
        _service = new CatalogueService(_store.Repository);
    }

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task ListItems_Unspecified_ReturnsEveryItemOrderedByCode()
    {
        var reply = await _service.ListItems(new V1.ListItemsRequest(), _context);

        Assert.Equal(_store.Repository.ListItems().Count, reply.Items.Count);
        Assert.Equal(reply.Items.Select(i => i.Code).Order(StringComparer.Ordinal), reply.Items.Select(i => i.Code));
    }

    [Fact]
    public async Task ListItems_VillageLevel_ReturnsOnlyVillageItems()
    {
        var reply = await _service.ListItems(new V1.ListItemsRequest { HandlingLevel = V1.NodeLevel.Village }, _context);

        Assert.NotEmpty(reply.Items);
        Assert.All(reply.Items, i => Assert.Equal(V1.NodeLevel.Village, i.HandlingLevel));
        Assert.Contains(reply.Items, i => i.Code == "VIL-RESIDENCE-CERT");
    }

    [Fact]
    public async Task ListItems_UnknownLevel_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.ListItems(new V1.ListItemsRequest { HandlingLevel = (V1.NodeLevel)9 }, _context));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetItem_BusinessRegistration_MapsTheWholeGuide()
    {
        var item = await _service.GetItem(new V1.GetItemRequest { Code = "CITY-BIZ-REG" }, _context);
        var domain = _store.Repository.GetItem("CITY-BIZ-REG")!;

        Assert.Equal("CITY-BIZ-REG", item.Code);
        Assert.Equal(domain.Name, item.Name);
        Assert.Equal(domain.NameEn, item.NameEn);
        Assert.Equal(domain.Category, item.Category);
        Assert.Equal("MKT", item.LeadDepartment);
        Assert.Equal(V1.NodeLevel.City, item.HandlingLevel);
        Assert.Equal(domain.LegalBasis, item.LegalBasis);
        Assert.Equal(domain.Conditions, item.Conditions);
        Assert.Equal(domain.Materials.Select(m => (m.Name, m.Copies, m.Original, m.Required)), item.Materials.Select(m => (m.Name, m.Copies, m.Original, m.Required)));
        Assert.Equal(domain.LegalLimitDays, item.LegalLimitDays);
        Assert.Equal(1, item.PromisedLimitDays);
        Assert.Equal(domain.Fees, item.Fees);
        Assert.Equal(domain.ReviewDepartments, item.ReviewDepartments);
        Assert.Equal(V1.ReviewRule.AllMustApprove, item.ReviewRule);
        Assert.False(item.OnTheSpot);
        Assert.Equal(domain.SilentConsent, item.SilentConsent);
        Assert.Equal(domain.ReviewLimitDays, item.ReviewLimitDays);
        Assert.Equal(domain.ServiceLocation, item.ServiceLocation);
        Assert.Equal(domain.Phone, item.Phone);
        Assert.True(item.OnlinePreReview);
    }

    [Fact]
    public async Task GetItem_LeadDecidesItem_MapsRule()
    {
        var item = await _service.GetItem(new V1.GetItemRequest { Code = "CITY-CONSTR-JOINT" }, _context);

        Assert.Equal(V1.ReviewRule.LeadDecides, item.ReviewRule);
        Assert.Equal(20, item.ReviewDepartments.Count);
        Assert.True(item.SilentConsent);
    }

    [Fact]
    public async Task GetItem_UnknownCode_NotFoundNamingTheCode()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetItem(new V1.GetItemRequest { Code = "CITY-NOPE" }, _context));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("CITY-NOPE", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task GetItem_EmptyCode_InvalidArgument(string code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetItem(new V1.GetItemRequest { Code = code }, _context));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetItem_OversizedCode_InvalidArgument()
    {
        var code = new string('X', CatalogueService.MaxCodeLength + 1);

        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetItem(new V1.GetItemRequest { Code = code }, _context));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task ListDepartments_Seeded_ReturnsThemOrderedByCode()
    {
        var reply = await _service.ListDepartments(new V1.ListDepartmentsRequest(), _context);

        Assert.True(reply.Departments.Count >= 20);
        Assert.Equal(reply.Departments.Select(d => d.Code).Order(StringComparer.Ordinal), reply.Departments.Select(d => d.Code));
        var tax = Assert.Single(reply.Departments, d => d.Code == "TAX");
        Assert.Contains("税务", tax.Name, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(tax.NameEn));
    }

    [Fact]
    public async Task GetCalendar_2026_ReturnsIsoDatesInOrder()
    {
        var reply = await _service.GetCalendar(new V1.GetCalendarRequest { Year = 2026 }, _context);

        Assert.Equal(39, reply.Days.Count);
        Assert.Equal(("2026-01-01", false, "元旦"), (reply.Days[0].Date, reply.Days[0].Working, reply.Days[0].Name));
        Assert.Contains(reply.Days, d => d is { Date: "2026-02-14", Working: true, Name: "春节" });
        Assert.Equal(reply.Days.Select(d => d.Date).Order(StringComparer.Ordinal), reply.Days.Select(d => d.Date));
    }

    [Fact]
    public async Task GetCalendar_YearZero_ReturnsEveryYear()
    {
        var all = await _service.GetCalendar(new V1.GetCalendarRequest { Year = 0 }, _context);

        Assert.Equal(_store.Repository.GetCalendar().Count, all.Days.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10000)]
    public async Task GetCalendar_BadYear_InvalidArgument(int year)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _service.GetCalendar(new V1.GetCalendarRequest { Year = year }, _context));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task ListNodes_Seeded_ReturnsRegistryOrderedByScope()
    {
        var reply = await _service.ListNodes(new V1.ListNodesRequest(), _context);

        Assert.Equal(126, reply.Nodes.Count);
        var city = reply.Nodes[0];
        Assert.Equal(("city", V1.NodeLevel.City, string.Empty, "city"), (city.Id, city.Level, city.ParentId, city.Scope));
        var village = Assert.Single(reply.Nodes, n => n.Id == "t01-v01");
        Assert.Equal((V1.NodeLevel.Village, "t01", "city/t01/t01-v01"), (village.Level, village.ParentId, village.Scope));
        Assert.Equal(reply.Nodes.Select(n => n.Scope).Order(StringComparer.Ordinal), reply.Nodes.Select(n => n.Scope));
    }

    [Fact]
    public async Task ListAgencies_NoEvaluations_Unrated()
    {
        var reply = await _service.ListAgencies(new V1.ListAgenciesRequest(), _context);

        Assert.NotEmpty(reply.Agencies);
        Assert.All(reply.Agencies, a =>
        {
            Assert.Equal(string.Empty, a.Rating);
            Assert.Equal(0, a.Evaluations);
            Assert.Equal(0, a.AverageScore);
        });
    }

    [Fact]
    public async Task ListAgencies_WithEvaluations_GradesEachAgency()
    {
        var scores = new Dictionary<string, int[]> { ["AG-001"] = [5, 5, 4], ["AG-002"] = [3, 2, 2] };
        var service = new CatalogueService(_store.Repository, new FixedScores(scores));

        var reply = await service.ListAgencies(new V1.ListAgenciesRequest(), _context);

        var first = Assert.Single(reply.Agencies, a => a.Code == "AG-001");
        Assert.Equal(("A", 3), (first.Rating, first.Evaluations));
        Assert.Equal(14.0 / 3, first.AverageScore, 10);
        Assert.Equal("D", Assert.Single(reply.Agencies, a => a.Code == "AG-002").Rating);
        Assert.Equal(string.Empty, Assert.Single(reply.Agencies, a => a.Code == "AG-003").Rating);
    }

    [Theory]
    [InlineData(V1.NodeLevel.City, NodeLevel.City)]
    [InlineData(V1.NodeLevel.Township, NodeLevel.Township)]
    [InlineData(V1.NodeLevel.Village, NodeLevel.Village)]
    public void FromProto_KnownLevel_RoundTrips(V1.NodeLevel proto, NodeLevel domain)
    {
        Assert.Equal(domain, NodeLevels.FromProto(proto));
        Assert.Equal(proto, NodeLevels.ToProto(domain));
    }

    [Theory]
    [InlineData(V1.NodeLevel.Unspecified)]
    [InlineData((V1.NodeLevel)42)]
    public void FromProto_UnspecifiedOrUnknown_IsNull(V1.NodeLevel proto)
    {
        Assert.Null(NodeLevels.FromProto(proto));
    }

    [Theory]
    [InlineData(CatalogueErrorKind.InvalidArgument, StatusCode.InvalidArgument)]
    [InlineData(CatalogueErrorKind.NotFound, StatusCode.NotFound)]
    [InlineData(CatalogueErrorKind.FailedPrecondition, StatusCode.FailedPrecondition)]
    public void ToRpcException_Kind_MapsToStatus(CatalogueErrorKind kind, StatusCode expected)
    {
        var error = CatalogueService.ToRpcException(new CatalogueException(kind, "why"));

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal("why", error.Status.Detail);
    }

    [Fact]
    public async Task AddServiceHallCatalogue_WithStoreAndIdentity_ResolvesWorkingService()
    {
        var services = new ServiceCollection();
        services.AddSingleton(_store.Sync);
        services.AddSingleton(new NodeIdentity("city", NodeLevel.City));
        services.AddServiceHallCatalogue().AddCatalogueApi();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var service = provider.GetRequiredService<CatalogueService>();
        var reply = await service.GetItem(new V1.GetItemRequest { Code = "VIL-RESIDENCE-CERT" }, _context);

        Assert.Same(provider.GetRequiredService<CatalogueRepository>(), provider.GetRequiredService<CatalogueRepository>());
        Assert.True(reply.OnTheSpot);
        Assert.IsType<SyncStore>(provider.GetRequiredService<SyncStore>());
    }

    private sealed class FixedScores(Dictionary<string, int[]> scores) : IAgencyEvaluationSource
    {
        public IReadOnlyList<int> ScoresFor(string agencyCode) => scores.TryGetValue(agencyCode, out var s) ? s : [];

        public IReadOnlyDictionary<string, IReadOnlyList<int>> ScoresByAgency() =>
            scores.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value, StringComparer.Ordinal);
    }
}
