using Microsoft.AspNetCore.Mvc;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Web.Pages.Cases;

/// <summary>
/// One case, if it lies inside the clerk's subtree (<see cref="ClerkPermissions.ReadCase"/>; else 403 and nothing of it):
/// its deadline, its parallel review, its history as a timeline, and a form for each action that this node and this clerk
/// may take now (<see cref="ClerkPermissions"/>, then <see cref="CaseDesk.AvailableActions"/>). A posted action is checked
/// by the same permissions before the desk sees it, whatever the page offered; a refused action comes back with what was
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

    /// <summary>The department whose opinion is recorded (the form sends the clerk's own; another is refused).</summary>
    [BindProperty]
    public string? Department { get; set; }

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

    public IActionResult OnGet(string number) => Load(number) ?? Page();

    public IActionResult OnPost(string number)
    {
        if (Load(number) is { } refused)
        {
            return refused;
        }

        if (Denial(Kind) is { } denied)
        {
            ModelState.AddModelError(Kind.ToString(), denied);
            return Page();
        }

        try
        {
            _ = Kind switch
            {
                CaseEventKind.PreReviewPassed => desk.PreReview(number, Actor, passed: true, Reason),
                CaseEventKind.PreReviewFailed => desk.PreReview(number, Actor, passed: false, Reason),
                CaseEventKind.Accepted => desk.Accept(number, Actor),
                CaseEventKind.CorrectionRequested => desk.RequestCorrection(number, Actor, Lines(MissingMaterials)),
                CaseEventKind.CorrectionSupplied => desk.SupplyCorrection(number, Actor),
                CaseEventKind.Routed => desk.RouteUp(number, Actor),
                CaseEventKind.OpinionRecorded => desk.RecordOpinion(number, Actor, OpinionDepartment, Opinion, Reason),
                CaseEventKind.Decided => desk.Decide(number, Actor, Approved, Reason),
                CaseEventKind.CertificateIssued => desk.IssueCertificate(number, Actor, CertificateNumber),
                CaseEventKind.Delivered => desk.Deliver(number, Actor),
                CaseEventKind.Evaluated => desk.Evaluate(number, Actor, Rating, Comment, Agency, string.IsNullOrEmpty(Agency) ? 0 : AgencyScore),
                CaseEventKind.Withdrawn => desk.Withdraw(number, Actor, Reason),
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

    /// <summary>The department an opinion post names: the form's, else the clerk's own.</summary>
    private string OpinionDepartment => string.IsNullOrEmpty(Department) ? Clerk.Department : Department;

    /// <summary>Why the clerk may not take <paramref name="kind"/> at this node, or null: the permissions of the client API.</summary>
    private string? Denial(CaseEventKind kind) => kind == CaseEventKind.OpinionRecorded
        ? ClerkPermissions.RecordOpinion(Clerk, Node, OpinionDepartment)
        : ClerkPermissions.HandleCases(Clerk, Node);

    /// <summary>Loads the case; null when the page can show it, else 404 (no such case here) or 403 (outside the clerk's subtree).</summary>
    private IActionResult? Load(string number)
    {
        CaseState? c;
        try
        {
            c = desk.Find(number);
        }
        catch (CaseActionException)
        {
            return NotFound();
        }

        if (c is null)
        {
            return NotFound();
        }

        if (Refuse("This case lies outside your node's subtree; it is not shown.", ClerkPermissions.ReadCase(Clerk, c.Header.IntakeScope, c.Number)) is { } refused)
        {
            return refused;
        }

        Case = c;
        Item = catalogue.GetItem(c.Header.ItemCode);
        Actions = desk.AvailableActions(c, Actor).Where(k => Denial(k) is null).ToHashSet();
        Agencies = catalogue.ListAgencies();
        return null;
    }
}
