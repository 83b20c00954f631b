using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>What <c>catalogue list --json</c> prints per service item (事项).</summary>
/// <param name="Code">Item code, e.g. "CITY-BIZ-REG".</param>
/// <param name="Name">Name in Chinese.</param>
/// <param name="NameEn">Name in English.</param>
/// <param name="Category">Category (类别).</param>
/// <param name="Level">Handling level: <c>city</c>, <c>township</c> or <c>village</c>.</param>
/// <param name="LeadDepartment">Lead department code.</param>
/// <param name="LegalLimitDays">Legal limit (法定时限), in working days.</param>
/// <param name="PromisedLimitDays">Promised limit (承诺时限), in working days; 0 on the spot.</param>
/// <param name="OnTheSpot">On-the-spot item (即办件).</param>
/// <param name="ReviewDepartments">Departments reviewing in parallel (并联审批).</param>
/// <param name="ReviewRule">How the parallel review decides, e.g. "all-must-approve"; empty when none.</param>
internal sealed record CatalogueItemView(
    string Code,
    string Name,
    string NameEn,
    string Category,
    string Level,
    string LeadDepartment,
    int LegalLimitDays,
    int PromisedLimitDays,
    bool OnTheSpot,
    IReadOnlyList<string> ReviewDepartments,
    string ReviewRule)
{
    /// <summary>The view of an item message.</summary>
    public static CatalogueItemView From(ServiceItem i) => new(
        i.Code,
        i.Name,
        i.NameEn,
        i.Category,
        Levels.Name(i.HandlingLevel),
        i.LeadDepartment,
        i.LegalLimitDays,
        i.PromisedLimitDays,
        i.OnTheSpot,
        i.ReviewDepartments.ToList(),
        i.ReviewRule switch
        {
            Protos.V1.ReviewRule.AllMustApprove => "all-must-approve",
            Protos.V1.ReviewRule.LeadDecides => "lead-decides",
            _ => string.Empty,
        });
}
