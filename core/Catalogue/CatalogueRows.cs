using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Catalogue;

/// <summary>
/// Converts catalogue records to and from the row values of <see cref="CatalogueTables"/>.
/// One place owns the stored form (enums as lower-case text, lists as JSON text, dates as ISO text),
/// so the seeder, the repository and the engine's rows can never disagree on it.
/// </summary>
internal static class CatalogueRows
{

    public static NodeLevel ParseLevel(string text) => NodeLevels.TryParse(text, out var level)
        ? level
        : throw new InvalidDataException($"Stored node level '{text}' is not city, township or village.");

    public static string RuleText(ReviewRule rule) => rule switch
    {
        ReviewRule.None => "none",
        ReviewRule.AllMustApprove => "all_must_approve",
        ReviewRule.LeadDecides => "lead_decides",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown review rule."),
    };

    public static ReviewRule ParseRule(string text) => text switch
    {
        "none" => ReviewRule.None,
        "all_must_approve" => ReviewRule.AllMustApprove,
        "lead_decides" => ReviewRule.LeadDecides,
        _ => throw new InvalidDataException($"Stored review rule '{text}' is not known."),
    };

    public static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static object?[] Values(Department d) => [d.Code, d.Name, d.NameEn];

    public static object?[] Values(ServiceItem i) =>
    [
        i.Code, i.Name, i.NameEn, i.Category, i.LeadDepartment, NodeLevels.Name(i.HandlingLevel), i.LegalBasis, i.Conditions,
        JsonSerializer.Serialize(i.Materials, CatalogueJsonContext.Default.IReadOnlyListMaterial), i.LegalLimitDays, i.PromisedLimitDays, i.Fees,
        JsonSerializer.Serialize(i.ReviewDepartments, CatalogueJsonContext.Default.IReadOnlyListString), RuleText(i.ReviewRule),
        Bit(i.OnTheSpot), Bit(i.SilentConsent), i.ReviewLimitDays, i.ServiceLocation, i.Phone, Bit(i.OnlinePreReview),
    ];

    public static object?[] Values(CalendarDay d) => [DateText(d.Date), Bit(d.Working), d.Name];

    public static object?[] Values(RegisteredNode n) => [n.Id, NodeLevels.Name(n.Level), n.ParentId, n.Name, n.Scope];

    public static object?[] Values(Agency a) => [a.Code, a.Name, a.Service];

    public static Department ReadDepartment(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

    public static ServiceItem ReadItem(DbDataReader r) => new(
        Code: r.GetString(0),
        Name: r.GetString(1),
        NameEn: r.GetString(2),
        Category: r.GetString(3),
        LeadDepartment: r.GetString(4),
        HandlingLevel: ParseLevel(r.GetString(5)),
        LegalBasis: r.GetString(6),
        Conditions: r.GetString(7),
        Materials: JsonSerializer.Deserialize(r.GetString(8), CatalogueJsonContext.Default.ListMaterial) ?? [],
        LegalLimitDays: r.GetInt32Any(9),
        PromisedLimitDays: r.GetInt32Any(10),
        Fees: r.GetString(11),
        ReviewDepartments: JsonSerializer.Deserialize(r.GetString(12), CatalogueJsonContext.Default.ListString) ?? [],
        ReviewRule: ParseRule(r.GetString(13)),
        OnTheSpot: r.GetInt64(14) != 0,
        SilentConsent: r.GetInt64(15) != 0,
        ReviewLimitDays: r.GetInt32Any(16),
        ServiceLocation: r.GetString(17),
        Phone: r.GetString(18),
        OnlinePreReview: r.GetInt64(19) != 0);

    public static CalendarDay ReadCalendarDay(DbDataReader r) =>
        new(DateOnly.ParseExact(r.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), r.GetInt64(1) != 0, r.GetString(2));

    public static RegisteredNode ReadNode(DbDataReader r) =>
        new(r.GetString(0), ParseLevel(r.GetString(1)), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), r.GetString(4));

    public static Agency ReadAgency(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

    private static long Bit(bool value) => value ? 1 : 0;
}
