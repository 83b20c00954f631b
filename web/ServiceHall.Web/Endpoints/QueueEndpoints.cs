using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Web.Localization;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>
/// The queues, for a signed-in clerk, only the cases inside the clerk's subtree (as the client API lists them). Each page
/// refreshes its rows itself from the same address with <c>?handler=Rows</c>, which answers the rows alone.
/// </summary>
internal static class QueueEndpoints
{
    public static void Map(IEndpointRouteBuilder clerks)
    {
        foreach (var path in new[] { "/", "/Index" })
        {
            clerks.MapGet(path, CaseQueue);
        }

        clerks.MapGet("/Reviews", ReviewQueue);
    }

    /// <summary>The case queue of this node: filter by status, sorted by due date, near-due and overdue marked.</summary>
    private static IResult CaseQueue(HttpContext http, CaseDesk desk, ICaseCatalogue catalogue, string? handler, string? status)
    {
        var d = IsRows(handler) ? Desk.WithoutForms(http) : Desk.For(http);
        var chosen = Enum.TryParse<CaseStatus>(status, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : (CaseStatus?)null;
        var rows = new QueueRows(d.T, catalogue, Queue(desk, chosen, d.SignedIn.Scope));
        return IsRows(handler)
            ? Desk.Page<Slices.Shared._QueueRows, QueueRows>(rows)
            : Desk.Page<Slices.Queue, QueueView>(new(d, chosen, rows));
    }

    /// <summary>
    /// A department's review queue (at the city, where parallel reviews happen): the cases under review that still wait for
    /// this department's opinion, the nearest due first. The clerk's own department by default; any department can be
    /// viewed (recording an opinion is another matter: see the case page).
    /// </summary>
    private static IResult ReviewQueue(HttpContext http, CaseDesk desk, ICaseCatalogue items, CatalogueRepository catalogue, string? handler, string? department)
    {
        var d = IsRows(handler) ? Desk.WithoutForms(http) : Desk.For(http);
        var chosen = string.IsNullOrEmpty(department) ? d.SignedIn.Department : department;
        var rows = new ReviewRows(d.T, items, Reviews(desk, chosen, d.SignedIn.Scope));
        return IsRows(handler)
            ? Desk.Page<Slices.Shared._ReviewRows, ReviewRows>(rows)
            : Desk.Page<Slices.Reviews, ReviewsView>(new(d, chosen, catalogue.ListDepartments(), rows));
    }

    private static bool IsRows(string? handler) => string.Equals(handler, "Rows", StringComparison.OrdinalIgnoreCase);

    /// <summary>Cases of one status (or all) within <paramref name="scope"/>, the nearest due date first; cases without a due date after, newest first.</summary>
    internal static IReadOnlyList<CaseState> Queue(CaseDesk desk, CaseStatus? status, string scope) =>
        desk.List(status is CaseStatus.None ? null : status, 0, scope)
            .OrderBy(c => c.DueDate ?? DateOnly.MaxValue)
            .ThenByDescending(c => c.Header.SubmittedAt)
            .ToList();

    /// <summary>Open cases within <paramref name="scope"/> waiting for <paramref name="department"/>'s opinion, the nearest due first.</summary>
    internal static IReadOnlyList<(CaseState Case, DepartmentReview Review)> Reviews(CaseDesk desk, string department, string scope) =>
        desk.List(null, 0, scope)
            .Where(c => c.IsOpen)
            .SelectMany(c => c.Reviews.Where(r => r.Department == department && r.Opinion is null && !r.SilentConsent).Select(r => (c, r)))
            .OrderBy(x => x.r.Due ?? DateOnly.MaxValue)
            .ThenBy(x => x.c.Number, StringComparer.Ordinal)
            .ToList();
}
