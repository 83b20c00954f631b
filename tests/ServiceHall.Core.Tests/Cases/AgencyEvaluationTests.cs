using Grpc.Core;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using static ServiceHall.Core.Tests.Cases.Items;
using K = ServiceHall.Core.Cases.CaseEventKind;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>Per-job evaluation of intermediary agencies (一事一评) carried on a case's evaluation, and the A–D rating from it.</summary>
public sealed class AgencyEvaluationTests
{
    private static readonly ServerCallContext Ctx = TestServerCallContext.As(
        new ServiceHall.Core.Clerks.Clerk("u1", Village, VillageScope, "civil", ServiceHall.Core.Clerks.ClerkRole.Reviewer, "u1", Disabled: false), TestContext.Current.CancellationToken);

    private static readonly P.Clerk Civil = new() { UserId = "u1", Department = "civil" };

    /// <summary>Files a village residence certificate at the village and takes it to delivery; returns its number.</summary>
    private static async Task<string> DeliveredCase(CasesService svc)
    {
        var n = (await svc.Submit(new P.SubmitCaseRequest { Item = ResidenceCertificate.Code, ApplicantName = "王五", IdNumber = "370982199001010033", Clerk = Civil }, Ctx)).Number;
        await svc.Accept(new P.CaseActionRequest { Number = n, Clerk = Civil }, Ctx);
        await svc.Decide(new P.DecideRequest { Number = n, Clerk = Civil, Approved = true, Reason = "resident" }, Ctx);
        await svc.Deliver(new P.CaseActionRequest { Number = n, Clerk = Civil }, Ctx);
        return n;
    }

    private static P.EvaluateRequest Evaluation(string number, int rating, string agency = "", int agencyScore = 0) =>
        new() { Number = number, Clerk = Civil, Rating = rating, Agency = agency, AgencyScore = agencyScore };

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task ListAgencies_SeveralEvaluatedCasesSyncedToCity_RatesEachAgencyFromItsJobs()
    {
        using var village = CaseStoreFixture.Village();
        using var city = CaseStoreFixture.City(village.Time);
        CatalogueSeeder.SeedIfEmpty(city.Sync, city.Node);
        var svc = new CasesService(village.Repository);
        await svc.Evaluate(Evaluation(await DeliveredCase(svc), 5, "AG-001", 5), Ctx);
        await svc.Evaluate(Evaluation(await DeliveredCase(svc), 2, "AG-001", 4), Ctx);
        await svc.Evaluate(Evaluation(await DeliveredCase(svc), 4, "AG-001", 4), Ctx);
        await svc.Evaluate(Evaluation(await DeliveredCase(svc), 3, "AG-002", 2), Ctx);
        await svc.Evaluate(Evaluation(await DeliveredCase(svc), 5), Ctx);
        village.CopyCasesTo(city);
        var catalogue = new CatalogueService(new CatalogueRepository(city.Sync, city.Node), new CaseAgencyEvaluations(city.Sync));

        var reply = await catalogue.ListAgencies(new P.ListAgenciesRequest(), Ctx);

        var first = Assert.Single(reply.Agencies, a => a.Code == "AG-001");
        Assert.Equal(("B", 3), (first.Rating, first.Evaluations));
        Assert.Equal(13.0 / 3, first.AverageScore, 10);
        var second = Assert.Single(reply.Agencies, a => a.Code == "AG-002");
        Assert.Equal(("D", 1, 2.0), (second.Rating, second.Evaluations, second.AverageScore));
        Assert.All(reply.Agencies.Where(a => a.Code is not ("AG-001" or "AG-002")), a => Assert.Equal((string.Empty, 0), (a.Rating, a.Evaluations)));
    }

    [Fact]
    public async Task Evaluate_WithAgency_CarriedInHistoryAndPayload()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var n = await DeliveredCase(svc);

        var rated = await svc.Evaluate(Evaluation(n, 4, "AG-002", 3), Ctx);

        var e = Assert.Single(rated.History, h => h.Kind == "Evaluated");
        Assert.Equal((4, "AG-002", 3), (e.Rating, e.Agency, e.AgencyScore));
        Assert.Equal(1, store.Count("SELECT COUNT(*) FROM case_events WHERE kind = 'Evaluated' AND json_extract(payload, '$.agency') = 'AG-002' AND json_extract(payload, '$.agencyScore') = 3"));
        Assert.Equal([3], new CaseAgencyEvaluations(store.Sync).ScoresFor("AG-002"));
    }

    [Fact]
    public async Task Evaluate_UnknownAgency_NotFoundAndNothingWritten()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var n = await DeliveredCase(svc);

        var e = await Refused(() => svc.Evaluate(Evaluation(n, 5, "AG-404", 5), Ctx));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("AG-404", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM case_events WHERE kind = 'Evaluated'"));
        Assert.Null(store.Repository.Get(n)!.Rating);
    }

    [Theory]
    [InlineData("AG-001", 0, "agency_score is 1 to 5")]
    [InlineData("AG-001", 6, "agency_score is 1 to 5")]
    [InlineData("AG-404", -1, "agency_score is 1 to 5")]
    [InlineData("", 4, "agency is empty")]
    public async Task Evaluate_BadAgencyScore_InvalidArgumentAndNothingWritten(string agency, int score, string expected)
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var n = await DeliveredCase(svc);

        var e = await Refused(() => svc.Evaluate(Evaluation(n, 5, agency, score), Ctx));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(expected, e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM case_events WHERE kind = 'Evaluated'"));
    }

    [Fact]
    public async Task Evaluate_WithoutAgency_RatingRecordedAndNoAgencyScore()
    {
        using var store = CaseStoreFixture.Village();
        var svc = new CasesService(store.Repository);
        var n = await DeliveredCase(svc);

        var rated = await svc.Evaluate(Evaluation(n, 3), Ctx);

        Assert.Equal(3, rated.Rating);
        var e = Assert.Single(rated.History, h => h.Kind == "Evaluated");
        Assert.Equal((string.Empty, 0), (e.Agency, e.AgencyScore));
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM case_events WHERE payload LIKE '%agency%'"));
        Assert.Empty(new CaseAgencyEvaluations(store.Sync).ScoresByAgency());
    }

    [Fact]
    public async Task ScoresByAgency_CaseEvaluatedConcurrentlyAtTwoNodes_CountsOnlyTheEvaluationDerivationApplies()
    {
        using var village = CaseStoreFixture.Village();
        using var city = CaseStoreFixture.City(village.Time);
        var atVillage = new CasesService(village.Repository);
        var n = await DeliveredCase(atVillage);
        village.CopyCasesTo(city);
        await new CasesService(city.Repository).Evaluate(Evaluation(n, 1, "AG-001", 1), city.As("civil"));
        await atVillage.Evaluate(Evaluation(n, 5, "AG-001", 5), Ctx);
        village.CopyCasesTo(city);

        var state = city.Repository.Get(n)!;
        var applied = Assert.Single(state.History, e => e.Kind == K.Evaluated && state.Conflicts.All(c => c.Event.Id != e.Id));
        Assert.Single(state.Conflicts);
        Assert.Equal([applied.Data.AgencyScore!.Value], new CaseAgencyEvaluations(city.Sync).ScoresFor("AG-001"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Check_EvaluationWithAgencyScoreOutOfRange_InvalidArgument(int score)
    {
        var s = CaseScript.DeliveredAtVillage();

        var verdict = s.Try(K.Evaluated, Village, "window", new CaseEventData { Rating = 5, Agency = "AG-001", AgencyScore = score });

        Assert.False(verdict.Allowed);
        Assert.Equal(RefusalKind.InvalidArgument, verdict.Kind);
        Assert.Contains("scored 1 to 5", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AgencyScoreWithoutAgency_InvalidArgument()
    {
        var verdict = CaseScript.DeliveredAtVillage().Try(K.Evaluated, Village, "window", new CaseEventData { Rating = 5, AgencyScore = 4 });

        Assert.Equal(RefusalKind.InvalidArgument, verdict.Kind);
        Assert.Contains("no agency was named", verdict.Message, StringComparison.Ordinal);
    }
}
