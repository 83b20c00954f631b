using ServiceHall.Core.Cases;
using static ServiceHall.Core.Tests.Cases.Items;

namespace ServiceHall.Core.Tests.Cases;

public sealed class CaseDeskTests
{
    private static readonly CaseActor Window = new("u1", "window");

    [Fact]
    public void Submit_BlankApplicant_NamesTheField_AndWritesNothing()
    {
        using var store = CaseStoreFixture.Village();
        var desk = new CaseDesk(store.Repository);
        var e = Assert.Throws<CaseActionException>(() => desk.Submit(BusinessRegistration.Code, " ", "370982199001010033", null, CaseChannel.Window, Window));
        Assert.Equal(("applicant_name", CaseErrorKind.InvalidArgument), (e.Field, e.Kind));
        Assert.Equal(0, store.Count("SELECT COUNT(*) FROM cases"));
    }

    [Fact]
    public void AvailableActions_AtTheVillage_OfferRouteUpAndWithdraw_NotDecisions()
    {
        using var store = CaseStoreFixture.Village();
        var desk = new CaseDesk(store.Repository);
        var c = desk.Submit(BusinessRegistration.Code, "新泰东成商贸有限公司", "91370982MA3C000001", null, CaseChannel.Window, Window);
        var actions = desk.AvailableActions(c, Window);
        Assert.Contains(CaseEventKind.Routed, actions);
        Assert.Contains(CaseEventKind.Withdrawn, actions);
        Assert.DoesNotContain(CaseEventKind.Accepted, actions);
        Assert.DoesNotContain(CaseEventKind.Decided, actions);
        Assert.DoesNotContain(CaseEventKind.OpinionRecorded, actions);

        var routed = desk.RouteUp(c.Number, Window);
        Assert.Equal(Township, routed.Holder);
        Assert.DoesNotContain(CaseEventKind.Routed, desk.AvailableActions(routed, Window));
    }

    [Fact]
    public void AvailableActions_AtTheCity_OfferTheOpinionOnlyToARequiredDepartmentThatHasNotAnswered()
    {
        using var village = CaseStoreFixture.Village();
        var vdesk = new CaseDesk(village.Repository);
        var n = vdesk.Submit(BusinessRegistration.Code, "新泰东成商贸有限公司", "91370982MA3C000001", null, CaseChannel.Window, Window).Number;
        vdesk.RouteUp(n, Window);
        using var township = new CaseStoreFixture(Township, ServiceHall.Core.Nodes.NodeLevel.Township, TownshipScope);
        village.CopyCasesTo(township);
        new CaseDesk(township.Repository).RouteUp(n, Window);
        using var city = CaseStoreFixture.City();
        township.CopyCasesTo(city);
        var desk = new CaseDesk(city.Repository);
        var accepted = desk.Accept(n, new CaseActor("m1", "market"));

        Assert.Contains(CaseEventKind.OpinionRecorded, desk.AvailableActions(accepted, new CaseActor("t1", "tax")));
        Assert.DoesNotContain(CaseEventKind.OpinionRecorded, desk.AvailableActions(accepted, new CaseActor("h1", "housing")));
        var answered = desk.RecordOpinion(n, new CaseActor("t1", "tax"), "tax", OpinionKind.Approve, null);
        Assert.DoesNotContain(CaseEventKind.OpinionRecorded, desk.AvailableActions(answered, new CaseActor("t1", "tax")));
        Assert.DoesNotContain(CaseEventKind.Decided, desk.AvailableActions(answered, new CaseActor("m1", "market")));
    }
}
