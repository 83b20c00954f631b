using Microsoft.AspNetCore.Mvc;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Pages;

/// <summary>
/// A department's review queue (at the city, where parallel reviews happen): the cases under review that still wait for
/// this department's opinion, the nearest due first, only cases inside the clerk's subtree. The clerk's own department by
/// default; any department can be viewed (recording an opinion is another matter: see the case page).
/// </summary>
public sealed class ReviewsModel(CaseDesk desk, CatalogueRepository catalogue) : DeskPage
{
    [BindProperty(SupportsGet = true)]
    public string? Department { get; set; }

    public IReadOnlyList<(CaseState Case, DepartmentReview Review)> Waiting { get; private set; } = [];

    public IReadOnlyList<Department> Departments { get; private set; } = [];

    public bool AtCity => Node.Level == NodeLevel.City;

    public void OnGet()
    {
        Department ??= Clerk.Department;
        Departments = catalogue.ListDepartments();
        Waiting = Queue(desk, Department, Clerk.Scope);
    }

    public PartialViewResult OnGetRows() => Partial("_ReviewRows", Queue(desk, Department ?? Clerk.Department, Clerk.Scope));

    internal static IReadOnlyList<(CaseState Case, DepartmentReview Review)> Queue(CaseDesk desk, string department, string scope) =>
        desk.List(null, 0, scope)
            .Where(c => c.IsOpen)
            .SelectMany(c => c.Reviews.Where(r => r.Department == department && r.Opinion is null && !r.SilentConsent).Select(r => (c, r)))
            .OrderBy(x => x.r.Due ?? DateOnly.MaxValue)
            .ThenBy(x => x.c.Number, StringComparer.Ordinal)
            .ToList();
}
