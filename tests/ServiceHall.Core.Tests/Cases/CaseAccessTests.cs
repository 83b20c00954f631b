using Grpc.Core;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Clerks;
using static ServiceHall.Core.Tests.Cases.Items;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>The Cases service's sign-in and permission checks (ClerkPermissions through ClerkCalls), each refusal writing nothing.</summary>
public sealed class CaseAccessTests
{
    private static P.SubmitCaseRequest Submit(string item) => new() { Item = item, ApplicantName = "王五", IdNumber = "370982199001010033" };

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private static ServerCallContext At(CaseStoreFixture store, string id, string nodeId, string scope, string department, ClerkRole role) =>
        TestServerCallContext.As(new Clerk(id, nodeId, scope, department, role, id, Disabled: false), TestContext.Current.CancellationToken);

    private static long Written(CaseStoreFixture store) =>
        store.Count("SELECT COUNT(*) FROM cases") + store.Count("SELECT COUNT(*) FROM case_events") + store.Count("SELECT COUNT(*) FROM _sync_log");

    [Fact]
    public async Task EveryCall_WithoutCredential_UnauthenticatedAndNothingWritten()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var n = (await svc.Submit(Submit(ResidenceCertificate.Code), store.As("civil"))).Number;
        var before = Written(store);
        var anonymous = TestServerCallContext.Anonymous(TestContext.Current.CancellationToken);
        var calls = new Func<Task>[]
        {
            () => svc.Submit(Submit(ResidenceCertificate.Code), anonymous),
            () => svc.Get(new P.GetCaseRequest { Number = n }, anonymous),
            () => svc.List(new P.ListCasesRequest(), anonymous),
            () => svc.Accept(new P.CaseActionRequest { Number = n }, anonymous),
            () => svc.Decide(new P.DecideRequest { Number = n, Approved = true }, anonymous),
            () => svc.RecordOpinion(new P.RecordOpinionRequest { Number = n, Department = "civil", Opinion = P.Opinion.Approve }, anonymous),
            () => new StatisticsService(store.Repository, store.Time).GetStatistics(new P.GetStatisticsRequest(), anonymous),
        };
        foreach (var call in calls)
        {
            var e = await Refused(call);
            Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
            Assert.Contains("authorization: Basic", e.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(before, Written(store));
    }

    [Fact]
    public async Task Action_ClaimingAnotherClerk_PermissionDeniedAndTheClaimIsNotRecorded()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var req = Submit(ResidenceCertificate.Code);
        req.Clerk = new P.Clerk { UserId = "boss@city", Department = "civil" };
        var before = Written(store);
        var e = await Refused(() => svc.Submit(req, store.As("civil", "wang@t01-v01")));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("boss@city", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Written(store));

        req.Clerk = new P.Clerk { UserId = "wang@t01-v01", Department = "market" };
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => svc.Submit(req, store.As("civil", "wang@t01-v01")))).StatusCode);
        Assert.Equal(before, Written(store));
    }

    [Fact]
    public async Task Opinion_FromAnotherDepartmentsClerk_PermissionDeniedNothingWritten()
    {
        using var city = CaseStoreFixture.City();
        var atCity = new CasesService(city.Repository);
        var n = (await atCity.Submit(Submit(BusinessRegistration.Code), city.As("window"))).Number;
        await atCity.Accept(new P.CaseActionRequest { Number = n }, city.As("market"));
        var before = Written(city);
        var e = await Refused(() => atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Department = "tax", Opinion = P.Opinion.Approve }, city.As("market")));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("department market", e.Status.Detail, StringComparison.Ordinal);

        // A window clerk of the right department still is not a reviewer.
        var window = At(city, "w@city", City, "city", "tax", ClerkRole.Window);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Department = "tax", Opinion = P.Opinion.Approve }, window))).StatusCode);
        Assert.Equal(before, Written(city));

        var ok = await atCity.RecordOpinion(new P.RecordOpinionRequest { Number = n, Department = "tax", Opinion = P.Opinion.Approve }, city.As("tax", "li@city"));
        Assert.Equal(("li@city", "tax"), (ok.History[^1].Actor.UserId, ok.History[^1].Actor.Department));
    }

    [Fact]
    public async Task VillageClerk_AtItsTownship_ReadsOnlyItsVillage_AndCannotActAsTheTownship()
    {
        using var v01 = CaseStoreFixture.Village();
        using var v02 = new CaseStoreFixture("t01-v02", ServiceHall.Core.Nodes.NodeLevel.Village, "city/t01/t01-v02", v01.Time);
        using var township = new CaseStoreFixture(Township, ServiceHall.Core.Nodes.NodeLevel.Township, "city/t01", v01.Time);
        var own = (await new CasesService(v01.Repository).Submit(Submit(BusinessRegistration.Code), v01.As("window"))).Number;
        await new CasesService(v01.Repository).Route(new P.RouteRequest { Number = own, TargetNode = Township, TargetLevel = P.NodeLevel.Township }, v01.As("window"));
        var other = (await new CasesService(v02.Repository).Submit(Submit(BusinessRegistration.Code), v02.As("window"))).Number;
        v01.CopyCasesTo(township);
        v02.CopyCasesTo(township);

        var atTownship = new CasesService(township.Repository);
        var stolen = At(township, "window@t01-v01", Village, VillageScope, "window", ClerkRole.Window);
        Assert.Equal([own], (await atTownship.List(new P.ListCasesRequest(), stolen)).Cases.Select(c => c.Number));
        Assert.Equal(own, (await atTownship.Get(new P.GetCaseRequest { Number = own }, stolen)).Number);
        var before = Written(township);
        var read = await Refused(() => atTownship.Get(new P.GetCaseRequest { Number = other }, stolen));
        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
        Assert.Contains("outside the subtree", read.Status.Detail, StringComparison.Ordinal);
        foreach (var n in new[] { own, other })
        {
            var act = await Refused(() => atTownship.Route(new P.RouteRequest { Number = n, TargetNode = City, TargetLevel = P.NodeLevel.City }, stolen));
            Assert.Equal(StatusCode.PermissionDenied, act.StatusCode);
            Assert.Contains("works at t01-v01", act.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() => atTownship.Submit(Submit(TownshipPension.Code), stolen))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(() =>
            new StatisticsService(township.Repository, township.Time).GetStatistics(new P.GetStatisticsRequest(), stolen))).StatusCode);
        Assert.Equal(before, Written(township));

        // The township's own clerk sees and routes both.
        Assert.Equal(2, (await atTownship.List(new P.ListCasesRequest(), township.As("window"))).Cases.Count);
        await atTownship.Route(new P.RouteRequest { Number = own, TargetNode = City, TargetLevel = P.NodeLevel.City }, township.As("window"));
    }

    [Fact]
    public async Task OperatorAndAdministrator_DoNotActOnCases()
    {
        using var city = CaseStoreFixture.City();
        var svc = new CasesService(city.Repository);
        foreach (var role in new[] { ClerkRole.Operator, ClerkRole.Administrator })
        {
            var e = await Refused(() => svc.Submit(Submit(BusinessRegistration.Code), city.As("adm", "x@city", role)));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        }

        Assert.Equal(0, city.Count("SELECT COUNT(*) FROM cases"));
    }

    [Fact]
    public async Task SqlLookingText_StoredVerbatim_NeverExecuted()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var req = Submit(ResidenceCertificate.Code);
        req.ApplicantName = "Robert'); DROP TABLE cases;--";
        req.IdNumber = "1 OR 1=1; DELETE FROM case_events WHERE ''='";
        var n = (await svc.Submit(req, store.As("civil"))).Number;
        var c = await svc.Get(new P.GetCaseRequest { Number = n }, store.As("civil"));
        Assert.Equal((req.ApplicantName, req.IdNumber), (c.ApplicantName, c.IdNumber));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM cases"));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_events"));
    }
}
