using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Web.Localization;

namespace ServiceHall.Web.Views;

/// <summary>A case's deadline badge (overdue, near due, on time).</summary>
/// <param name="T">The page texts.</param>
/// <param name="Case">The case.</param>
public sealed record DeadlineBadge(Ui T, CaseState Case);

/// <summary>Rows of the case queue (also served alone, for the refresh script).</summary>
/// <param name="T">The page texts.</param>
/// <param name="Catalogue">Item names.</param>
/// <param name="Cases">The cases listed.</param>
public sealed record QueueRows(Ui T, ICaseCatalogue Catalogue, IReadOnlyList<CaseState> Cases);

/// <summary>Rows of a department's review queue (also served alone, for the refresh script).</summary>
/// <param name="T">The page texts.</param>
/// <param name="Catalogue">Item names.</param>
/// <param name="Waiting">Each case with the department's review it waits for.</param>
public sealed record ReviewRows(Ui T, ICaseCatalogue Catalogue, IReadOnlyList<(CaseState Case, DepartmentReview Review)> Waiting);

/// <summary>The case queue page's model.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Status">The status filtered on; null for all.</param>
/// <param name="Rows">The rows.</param>
public sealed record QueueView(Desk Desk, CaseStatus? Status, QueueRows Rows);

/// <summary>The review queue page's model.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Department">The department whose queue is shown.</param>
/// <param name="Departments">Every department, to choose from.</param>
/// <param name="Rows">The rows.</param>
public sealed record ReviewsView(Desk Desk, string Department, IReadOnlyList<Department> Departments, ReviewRows Rows);
