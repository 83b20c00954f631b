using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Tests.Calendar;

namespace ServiceHall.Core.Tests.Cases;

/// <summary>Catalogue items and node paths used by the case tests.</summary>
internal static class Items
{
    public const string Village = "t01-v01";
    public const string Township = "t01";
    public const string City = "city";
    public const string VillageScope = "city/t01/t01-v01";
    public const string TownshipScope = "city/t01";

    public static readonly ServiceItem ResidenceCertificate = Item("VIL-RES-CERT", NodeLevel.Village, "civil", promised: 0, onTheSpot: true);

    public static readonly ServiceItem TownshipPension = Item("TWN-PENSION", NodeLevel.Township, "social", promised: 5);

    public static readonly ServiceItem BusinessRegistration = Item(
        "CITY-BIZ-REG", NodeLevel.City, "market", promised: 2,
        review: ["market", "quality", "tax", "police"], rule: ReviewRule.AllMustApprove, reviewLimit: 1);

    public static readonly ServiceItem Construction = Item(
        "CITY-CONSTR", NodeLevel.City, "housing", promised: 32,
        review: ["housing", "planning", "fire", "environment"], rule: ReviewRule.LeadDecides, reviewLimit: 10);

    public static readonly ServiceItem ConstructionSilent = Construction with
    {
        Code = "CITY-CONSTR-SILENT",
        ReviewRule = ReviewRule.AllMustApprove,
        SilentConsent = true,
    };

    public static ServiceItem Item(
        string code, NodeLevel level, string lead, int promised, bool onTheSpot = false,
        IReadOnlyList<string>? review = null, ReviewRule rule = ReviewRule.None, int reviewLimit = 0) =>
        new(code, code, code, "test", lead, level, "basis", "conditions", [], promised + 10, promised, "free",
            review ?? [], rule, onTheSpot, SilentConsent: false, reviewLimit, "hall", "0538", OnlinePreReview: true);
}

/// <summary>Whole case lives written through a repository, for the statistics tests.</summary>
internal static class CaseLives
{
    /// <summary>
    /// Submits a case at the window, accepts it in the lead department, records every required department's approval,
    /// decides (approved), delivers and records the rating; returns the case number.
    /// </summary>
    public static string TakeThroughToRating(this CaseRepository repository, ServiceItem item, int rating)
    {
        var n = repository.Submit(new CaseSubmission(item.Code, "赵六", "370982199001010044", null, CaseChannel.Window, new CaseActor("u-window", "window"))).Number;
        repository.Append(n, CaseEventKind.Accepted, Clerk(item.LeadDepartment), CaseEventData.None);
        foreach (var dept in item.ReviewDepartments)
        {
            repository.Append(n, CaseEventKind.OpinionRecorded, Clerk(dept), new CaseEventData { Department = dept, Opinion = OpinionKind.Approve });
        }

        repository.Append(n, CaseEventKind.Decided, Clerk(item.LeadDepartment), new CaseEventData { Approved = true });
        repository.Append(n, CaseEventKind.Delivered, Clerk("window"), CaseEventData.None);
        repository.Append(n, CaseEventKind.Evaluated, Clerk("window"), new CaseEventData { Rating = rating });
        return n;
    }

    private static CaseActor Clerk(string dept) => new("u-" + dept, dept);
}

/// <summary>A case under test: a clock, a header, an item and a growing history; actions are checked with the rules.</summary>
internal sealed class CaseScript
{
    private long _order;

    public CaseScript(ServiceItem item, string intakeNode = Items.Village, string intakeScope = Items.VillageScope, CaseChannel channel = CaseChannel.Window, DateTimeOffset? start = null)
    {
        Item = item;
        Time = new FakeTimeProvider(start ?? At(9, 14, 9));
        Header = new CaseHeader(
            CaseNumbers.Format(intakeNode, Cal.LocalDate(Time.GetUtcNow()), 1), item.Code, "张三", "370982199001010011", "13800000000",
            intakeNode, intakeScope, Time.GetUtcNow(), channel);
    }

    public WorkingCalendar Cal { get; } = Calendar2026.Calendar;

    public FakeTimeProvider Time { get; }

    public ServiceItem Item { get; }

    public CaseHeader Header { get; }

    public List<CaseEvent> Events { get; } = [];

    /// <summary>A local time in 2026 (China Standard Time).</summary>
    public static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    public CaseState State() => CaseDerivation.Derive(Header, Events, Item, Cal, Time.GetUtcNow());

    public CaseEvent Make(CaseEventKind kind, string node, string dept, CaseEventData? data = null) =>
        new(CaseEvent.NewId(node, Time), Header.Number, kind, node, new CaseActor("u-" + dept, dept), Time.GetUtcNow(), ++_order, data ?? CaseEventData.None);

    public CaseVerdict Try(CaseEventKind kind, string node, string dept, CaseEventData? data = null)
    {
        var e = Make(kind, node, dept, data);
        var v = CaseRules.Check(State(), e, Item, Cal);
        if (v.Allowed)
        {
            Events.Add(e);
        }

        return v;
    }

    public CaseScript Do(CaseEventKind kind, string node, string dept, CaseEventData? data = null)
    {
        var v = Try(kind, node, dept, data);
        Assert.True(v.Allowed, v.Message);
        return this;
    }

    public CaseScript Advance(TimeSpan by)
    {
        Time.Advance(by);
        return this;
    }

    public CaseScript MoveTo(DateTimeOffset at)
    {
        Time.SetUtcNow(at);
        return this;
    }

    // Common steps.
    public CaseScript Submit() => Do(CaseEventKind.Submitted, Header.IntakeNode, "window");

    public CaseScript Route(string from, string to, NodeLevel level) =>
        Do(CaseEventKind.Routed, from, "window", new CaseEventData { TargetNode = to, TargetLevel = level });

    public CaseScript RouteToCity() => Route(Items.Village, Items.Township, NodeLevel.Township).Route(Items.Township, Items.City, NodeLevel.City);

    public CaseScript Accept(string node) => Do(CaseEventKind.Accepted, node, Item.LeadDepartment);

    public CaseScript Opinion(string dept, OpinionKind kind, string? reason = null) =>
        Do(CaseEventKind.OpinionRecorded, Items.City, dept, new CaseEventData { Department = dept, Opinion = kind, Reason = reason });

    public CaseScript Decide(string node, bool approved, string? reason = "ok") =>
        Do(CaseEventKind.Decided, node, Item.LeadDepartment, new CaseEventData { Approved = approved, Reason = reason });

    /// <summary>A window case at the village for a city item, routed and accepted at the city.</summary>
    public static CaseScript AcceptedAtCity(ServiceItem item) => new CaseScript(item).Submit().RouteToCity().Accept(Items.City);

    /// <summary>A case that is accepted and decided and delivered at the village.</summary>
    public static CaseScript DeliveredAtVillage()
    {
        var s = new CaseScript(Items.ResidenceCertificate).Submit().Accept(Items.Village).Decide(Items.Village, true);
        return s.Do(CaseEventKind.Delivered, Items.Village, "civil");
    }
}
