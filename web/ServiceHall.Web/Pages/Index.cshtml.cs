using Microsoft.AspNetCore.Mvc;
using ServiceHall.Core.Cases;

namespace ServiceHall.Web.Pages;

/// <summary>The case queue of this node, only the cases inside the clerk's subtree (as the client API lists them): filter by status, sorted by due date, near-due and overdue marked; refreshes itself.</summary>
public sealed class IndexModel(CaseDesk desk) : DeskPage
{
    [BindProperty(SupportsGet = true)]
    public CaseStatus? Status { get; set; }

    public IReadOnlyList<CaseState> Cases { get; private set; } = [];

    public void OnGet() => Cases = Queue(desk, Status, Clerk.Scope);

    /// <summary>The rows alone, for the refresh script.</summary>
    public PartialViewResult OnGetRows() => Partial("_QueueRows", Queue(desk, Status, Clerk.Scope));

    /// <summary>Cases of one status (or all) within <paramref name="scope"/>, the nearest due date first; cases without a due date after, newest first.</summary>
    internal static IReadOnlyList<CaseState> Queue(CaseDesk desk, CaseStatus? status, string scope) =>
        desk.List(status is CaseStatus.None ? null : status, 0, scope)
            .OrderBy(c => c.DueDate ?? DateOnly.MaxValue)
            .ThenByDescending(c => c.Header.SubmittedAt)
            .ToList();
}
