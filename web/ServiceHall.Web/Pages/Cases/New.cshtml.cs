using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Hosting;

namespace ServiceHall.Web.Pages.Cases;

/// <summary>
/// Case intake at the window: the item, the applicant, the materials checklist ticked off, and the due date shown before
/// submitting, for a clerk who may handle cases at this node (<see cref="ClerkPermissions.HandleCases"/>). The desk checks the input; a refused submission comes back with every entry kept and the error by its field.
/// </summary>
public sealed class NewModel(CaseDesk desk, CaseRepository cases, CatalogueRepository catalogue, NodeIdentity node, TimeProvider time) : DeskPage
{
    [BindProperty(SupportsGet = true, Name = "item")]
    public string? ItemCode { get; set; }

    [BindProperty]
    public string? ApplicantName { get; set; }

    [BindProperty]
    public string? IdNumber { get; set; }

    [BindProperty]
    public string? Phone { get; set; }

    /// <summary>Indexes of the materials ticked off.</summary>
    [BindProperty]
    public List<int> Ticked { get; set; } = [];

    /// <summary>Items a case can be filed for here: those decided at this level or above (a higher node never files a lower item).</summary>
    public IReadOnlyList<ServiceItem> Items { get; private set; } = [];

    public ServiceItem? Item { get; private set; }

    /// <summary>The due date if the case were accepted today (null for an on-the-spot item).</summary>
    public DateOnly? DueIfAcceptedToday { get; private set; }

    public NodeLevel NodeLevel => node.Level;

    public IActionResult OnGet()
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        Load();
        return Page();
    }

    /// <summary>The item was changed: show its checklist and due date, keep what was typed, validate nothing.</summary>
    public IActionResult OnPostReload()
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        ModelState.Clear();
        Ticked = [];
        Load();
        return Page();
    }

    public IActionResult OnPost()
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        Load();
        if (Item is not null)
        {
            var missing = Item.Materials.Select((m, k) => (m, k)).Where(x => x.m.Required && !Ticked.Contains(x.k)).ToList();
            if (missing.Count > 0)
            {
                ModelState.AddModelError(nameof(Ticked), "Every required material must be ticked off.");
            }
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        try
        {
            var c = desk.Submit(ItemCode, ApplicantName, IdNumber, Phone, CaseChannel.Window, Actor);
            return Redirect("/Cases/" + c.Number);
        }
        catch (CaseActionException e)
        {
            AddError(e, string.Empty, FieldOf);
            return Page();
        }
    }

    private static string? FieldOf(string deskField) => deskField switch
    {
        "item" => nameof(ItemCode),
        "applicant_name" => nameof(ApplicantName),
        "id_number" => nameof(IdNumber),
        "phone" => nameof(Phone),
        _ => null,
    };

    private PageResult? Refused() => Refuse("You may not file cases at this node.", ClerkPermissions.HandleCases(Clerk, node));

    private void Load()
    {
        Items = catalogue.ListItems().Where(i => i.HandlingLevel <= node.Level).OrderBy(i => i.HandlingLevel).ThenBy(i => i.Code, StringComparer.Ordinal).ToList();
        Item = string.IsNullOrEmpty(ItemCode) ? null : Items.FirstOrDefault(i => i.Code == ItemCode);
        if (Item is { OnTheSpot: false })
        {
            var calendar = cases.Calendar();
            var today = calendar.LocalDate(time.GetUtcNow());
            DueIfAcceptedToday = calendar.Deadline(today, Item.PromisedLimitDays, [], today);
        }
    }
}
