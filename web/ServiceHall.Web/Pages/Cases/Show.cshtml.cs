using Microsoft.AspNetCore.Mvc;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Pages.Cases;

/// <summary>
/// One case: its deadline, its parallel review, its history as a timeline, and a form for each action that this node and
/// this clerk may take now (asked of <see cref="CaseDesk.AvailableActions"/>). A refused action comes back with what was
/// entered and the reason next to the field, or on the action's form.
/// </summary>
public sealed class ShowModel(CaseDesk desk, CatalogueRepository catalogue) : DeskPage
{
    [BindProperty]
    public CaseEventKind Kind { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? MissingMaterials { get; set; }

    [BindProperty]
    public bool Approved { get; set; }

    [BindProperty]
    public OpinionKind Opinion { get; set; } = OpinionKind.Approve;

    [BindProperty]
    public string? CertificateNumber { get; set; }

    [BindProperty]
    public int Rating { get; set; } = 5;

    [BindProperty]
    public string? Comment { get; set; }

    [BindProperty]
    public string? Agency { get; set; }

    [BindProperty]
    public int AgencyScore { get; set; }

    public CaseState Case { get; private set; } = null!;

    public ServiceItem? Item { get; private set; }

    public IReadOnlySet<CaseEventKind> Actions { get; private set; } = new HashSet<CaseEventKind>();

    public IReadOnlyList<Agency> Agencies { get; private set; } = [];

    public IActionResult OnGet(string number) => Load(number) ? Page() : NotFound();

    public IActionResult OnPost(string number)
    {
        if (!Load(number))
        {
            return NotFound();
        }

        try
        {
            _ = Kind switch
            {
                CaseEventKind.PreReviewPassed => desk.PreReview(number, Clerk, passed: true, Reason),
                CaseEventKind.PreReviewFailed => desk.PreReview(number, Clerk, passed: false, Reason),
                CaseEventKind.Accepted => desk.Accept(number, Clerk),
                CaseEventKind.CorrectionRequested => desk.RequestCorrection(number, Clerk, Lines(MissingMaterials)),
                CaseEventKind.CorrectionSupplied => desk.SupplyCorrection(number, Clerk),
                CaseEventKind.Routed => desk.RouteUp(number, Clerk),
                CaseEventKind.OpinionRecorded => desk.RecordOpinion(number, Clerk, Clerk.Department, Opinion, Reason),
                CaseEventKind.Decided => desk.Decide(number, Clerk, Approved, Reason),
                CaseEventKind.CertificateIssued => desk.IssueCertificate(number, Clerk, CertificateNumber),
                CaseEventKind.Delivered => desk.Deliver(number, Clerk),
                CaseEventKind.Evaluated => desk.Evaluate(number, Clerk, Rating, Comment, Agency, string.IsNullOrEmpty(Agency) ? 0 : AgencyScore),
                CaseEventKind.Withdrawn => desk.Withdraw(number, Clerk, Reason),
                _ => throw new CaseActionException("kind", $"Unknown action {Kind}."),
            };
        }
        catch (CaseActionException e)
        {
            AddError(e, Kind.ToString(), f => f switch
            {
                "reason" => Key(nameof(Reason)),
                "missing_materials" => Key(nameof(MissingMaterials)),
                "certificate_number" => Key(nameof(CertificateNumber)),
                "rating" => Key(nameof(Rating)),
                "comment" => Key(nameof(Comment)),
                "agency" => Key(nameof(Agency)),
                "agency_score" => Key(nameof(AgencyScore)),
                _ => null,
            });
            return Page();
        }

        // Post/redirect/get: a reload does not repeat the action.
        return Redirect("/Cases/" + number);
    }

    /// <summary>The model-state key of a field of the action being taken (each action's form shows its own errors).</summary>
    public string Key(string field) => $"{Kind}.{field}";

    private static List<string> Lines(string? text) =>
        (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private bool Load(string number)
    {
        CaseState? c;
        try
        {
            c = desk.Find(number);
        }
        catch (CaseActionException)
        {
            return false;
        }

        if (c is null)
        {
            return false;
        }

        Case = c;
        Item = catalogue.GetItem(c.Header.ItemCode);
        Actions = desk.AvailableActions(c, Clerk);
        Agencies = catalogue.ListAgencies();
        return true;
    }
}
