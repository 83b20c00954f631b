using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using static ServiceHall.Core.Tests.Cases.Items;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

public sealed class CasesServiceTests
{
    private static P.Clerk Clerk(string dept, string user = "u1") => new() { UserId = user, Department = dept };

    private static P.SubmitCaseRequest Submit(string item) => new()
    {
        Item = item, ApplicantName = "王五", IdNumber = "370982199001010033", Phone = "13900000000", Clerk = Clerk("window"),
    };

    private static async Task<StatusCode> CodeOf(Func<Task> call, string? contains = null)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        if (contains is not null)
        {
            Assert.Contains(contains, e.Status.Detail, StringComparison.Ordinal);
        }

        return e.StatusCode;
    }

    [Fact]
    public async Task Submit_Valid_ReturnsNumberStatusAndHistory()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(BusinessRegistration.Code), store.As("window"));
        Assert.Equal("t01-v01-20261127-0001", c.Number);
        Assert.Equal(P.CaseStatus.Submitted, c.Status);
        Assert.Equal(P.NodeLevel.City, c.Level);
        Assert.Equal(Village, c.IntakeNode);
        Assert.Equal(string.Empty, c.DueDate);
        var h = Assert.Single(c.History);
        Assert.Equal(("Submitted", Village, "u1", "window"), (h.Kind, h.Node, h.Actor.UserId, h.Actor.Department));
        Assert.Equal(store.Time.GetUtcNow(), h.At.ToDateTimeOffset());
        Assert.Equal(4, c.Opinions.Count);
    }

    [Fact]
    public async Task Submit_NoClerkClaimed_RecordsTheSignedInClerk()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var req = Submit(ResidenceCertificate.Code);
        req.Clerk = null;
        var c = await svc.Submit(req, store.As("civil", "wang@t01-v01"));
        Assert.Equal(("wang@t01-v01", "civil"), (c.History[0].Actor.UserId, c.History[0].Actor.Department));
    }

    [Fact]
    public async Task Submit_OversizedName_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var req = Submit(ResidenceCertificate.Code);
        req.ApplicantName = new string('x', 201);
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => new CasesService(store.Repository).Submit(req, store.As("window")), "longer than 200"));
    }

    [Fact]
    public async Task Submit_UnknownItem_NotFound()
    {
        using var store = CaseStoreFixture.Village();
        Assert.Equal(StatusCode.NotFound, await CodeOf(() => new CasesService(store.Repository).Submit(Submit("NO-SUCH"), store.As("window")), "NO-SUCH"));
    }

    [Fact]
    public async Task Get_Unknown_NotFound_Malformed_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        Assert.Equal(StatusCode.NotFound, await CodeOf(() => svc.Get(new P.GetCaseRequest { Number = "t01-v01-20261127-0042" }, store.As("window"))));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.Get(new P.GetCaseRequest { Number = "'; DROP TABLE cases" }, store.As("window"))));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.Get(new P.GetCaseRequest(), store.As("window"))));
    }

    [Fact]
    public async Task Accept_CityItemAtVillage_PermissionDenied()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(BusinessRegistration.Code), store.As("window"));
        Assert.Equal(StatusCode.PermissionDenied, await CodeOf(() => svc.Accept(new P.CaseActionRequest { Number = c.Number, Clerk = Clerk("market") }, store.As("market")), "route"));
    }

    [Fact]
    public async Task Decide_BeforeAcceptance_FailedPrecondition()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(ResidenceCertificate.Code), store.As("window"));
        Assert.Equal(StatusCode.FailedPrecondition, await CodeOf(() => svc.Decide(new P.DecideRequest { Number = c.Number, Clerk = Clerk("civil"), Approved = true }, store.As("civil")), "not been accepted"));
    }

    [Fact]
    public async Task RouteDown_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(BusinessRegistration.Code), store.As("window"));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.Route(new P.RouteRequest { Number = c.Number, Clerk = Clerk("window"), TargetNode = "x", TargetLevel = P.NodeLevel.Village }, store.As("window"))));
    }

    [Fact]
    public async Task Route_UpToTownship_HolderMovesAndHistoryNamesTarget()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(BusinessRegistration.Code), store.As("window"));
        var routed = await svc.Route(new P.RouteRequest { Number = c.Number, Clerk = Clerk("window"), TargetNode = Township, TargetLevel = P.NodeLevel.Township }, store.As("window"));
        Assert.Equal(Township, routed.Holder);
        Assert.Equal(("Routed", Township), (routed.History[^1].Kind, routed.History[^1].TargetNode));
        Assert.Equal(StatusCode.PermissionDenied, await CodeOf(() => svc.Route(new P.RouteRequest { Number = c.Number, Clerk = Clerk("window"), TargetNode = City, TargetLevel = P.NodeLevel.City }, store.As("window")), "held at t01"));
    }

    [Fact]
    public async Task RecordOpinion_Unspecified_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(BusinessRegistration.Code), store.As("window"));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.RecordOpinion(new P.RecordOpinionRequest { Number = c.Number, Clerk = Clerk("tax"), Department = "tax" }, store.As("tax"))));
    }

    [Fact]
    public async Task RequestCorrection_TooManyMaterials_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(ResidenceCertificate.Code), store.As("window"));
        var req = new P.RequestCorrectionRequest { Number = c.Number, Clerk = Clerk("civil") };
        req.MissingMaterials.AddRange(Enumerable.Range(0, 51).Select(i => "m" + i));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.RequestCorrection(req, store.As("civil")), "at most 50"));
    }

    [Fact]
    public async Task Evaluate_OutOfRange_InvalidArgument()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var c = await svc.Submit(Submit(ResidenceCertificate.Code), store.As("window"));
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => svc.Evaluate(new P.EvaluateRequest { Number = c.Number, Clerk = Clerk("civil"), Rating = 7 }, store.As("civil"))));
    }

    [Fact]
    public async Task VillageItem_FullLifecycleThroughService_DeliveredRatedAndListed()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var civil = Clerk("civil");
        var n = (await svc.Submit(Submit(ResidenceCertificate.Code), store.As("window"))).Number;
        await svc.Accept(new P.CaseActionRequest { Number = n, Clerk = civil }, store.As("civil"));
        var decided = await svc.Decide(new P.DecideRequest { Number = n, Clerk = civil, Approved = true, Reason = "resident" }, store.As("civil"));
        Assert.Equal(P.CaseStatus.Approved, decided.Status);
        Assert.Equal("2026-11-27", decided.DueDate);
        Assert.True(decided.Flags.DecidedOnTheSpot);
        await svc.IssueCertificate(new P.IssueCertificateRequest { Number = n, Clerk = civil, CertificateNumber = "RC-1" }, store.As("civil"));
        await svc.Deliver(new P.CaseActionRequest { Number = n, Clerk = civil }, store.As("civil"));
        var rated = await svc.Evaluate(new P.EvaluateRequest { Number = n, Clerk = civil, Rating = 5, Comment = "好" }, store.As("civil"));
        Assert.Equal(5, rated.Rating);
        Assert.Equal(["Submitted", "Accepted", "Decided", "CertificateIssued", "Delivered", "Evaluated"], rated.History.Select(h => h.Kind));
        var other = (await svc.Submit(Submit(ResidenceCertificate.Code), store.As("window"))).Number;
        await svc.Withdraw(new P.WithdrawRequest { Number = other, Clerk = civil, Reason = "no longer needed" }, store.As("civil"));
        var delivered = await svc.List(new P.ListCasesRequest { Status = P.CaseStatus.Delivered }, store.As("window"));
        Assert.Equal([n], delivered.Cases.Select(c => c.Number));
        Assert.Equal(2, (await svc.List(new P.ListCasesRequest(), store.As("window"))).Cases.Count);
        Assert.Equal(StatusCode.FailedPrecondition, await CodeOf(() => svc.Evaluate(new P.EvaluateRequest { Number = n, Clerk = civil, Rating = 1 }, store.As("civil")), "one rating per case"));
    }

    [Fact]
    public async Task OnlineCase_PreReviewCorrectionAndSupply_ThroughService()
    {
        using var village = CaseStoreFixture.Village();
        using var city = CaseStoreFixture.City(village.Time);
        var atVillage = new CasesService(village.Repository);
        var atCity = new CasesService(city.Repository);
        var req = Submit(BusinessRegistration.Code);
        req.Channel = P.CaseChannel.Online;
        var n = (await atVillage.Submit(req, village.As("window"))).Number;
        village.CopyCasesTo(city);
        var market = Clerk("market");
        Assert.Equal(StatusCode.InvalidArgument, await CodeOf(() => atCity.PreReview(new P.PreReviewRequest { Number = n, Clerk = market, Passed = false }, city.As("market")), "reason"));
        await atCity.PreReview(new P.PreReviewRequest { Number = n, Clerk = market, Passed = true }, city.As("market"));
        await atCity.Accept(new P.CaseActionRequest { Number = n, Clerk = market }, city.As("market"));
        var paused = await atCity.RequestCorrection(new P.RequestCorrectionRequest { Number = n, Clerk = market, MissingMaterials = { "lease" } }, city.As("market"));
        Assert.True(paused.Flags.Paused);
        city.CopyCasesTo(village);
        var resumed = await atVillage.SupplyCorrection(new P.CaseActionRequest { Number = n, Clerk = Clerk("window") }, village.As("window"));
        Assert.Equal(P.CaseStatus.Accepted, resumed.Status);
        Assert.Equal(StatusCode.FailedPrecondition, await CodeOf(() => atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Clerk = Clerk("tax"), Department = "tax", Opinion = P.Opinion.Approve }, city.As("tax")), "awaiting correction"));
        village.CopyCasesTo(city);
        await atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Clerk = Clerk("tax"), Department = "tax", Opinion = P.Opinion.Approve }, city.As("tax"));
        Assert.Equal(StatusCode.PermissionDenied, await CodeOf(() => atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Clerk = Clerk("fire"), Department = "fire", Opinion = P.Opinion.Approve }, city.As("fire"))));
    }

    [Fact]
    public void AddServiceHallCases_WithHostServices_ResolvesServices()
    {
        using var store = CaseStoreFixture.Village();
        var services = new ServiceCollection();
        services.AddSingleton(store.Sync);
        services.AddSingleton<ICaseCatalogue>(TestCatalogue.Default);
        services.AddSingleton(store.Node);
        services.AddSingleton<TimeProvider>(store.Time);
        services.AddGrpc();
        services.AddServiceHallCases();
        using var sp = services.BuildServiceProvider();
        Assert.Same(sp.GetRequiredService<CaseRepository>(), sp.GetRequiredService<CaseRepository>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<CasesService>(sp));
        Assert.NotNull(ActivatorUtilities.CreateInstance<StatisticsService>(sp));
        Assert.IsType<NodeIdentity>(sp.GetRequiredService<NodeIdentity>());
        Assert.IsType<SyncStore>(sp.GetRequiredService<SyncStore>());
    }
}
