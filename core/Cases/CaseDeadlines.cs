using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The time-dependent part of a case's state: due date, flags, each department's limit, silent consent and the
/// review outcome, all in working days from the synced calendar with paused time excluded.
/// </summary>
internal static class CaseDeadlines
{
    public static CaseState Apply(
        CaseState state,
        ServiceItem item,
        WorkingCalendar calendar,
        IReadOnlyList<PausedInterval> pauses,
        IReadOnlyDictionary<string, CaseEvent> opinions,
        DateOnly today)
    {
        DateOnly? accepted = state.AcceptedAt is { } a ? calendar.LocalDate(a) : null;
        DateOnly? decided = state.DecidedAt is { } d ? calendar.LocalDate(d) : null;
        var open = state.IsOpen;

        // The clock stops at the decision; a withdrawn case keeps the deadline it had.
        var reference = decided ?? today;
        var paused = calendar.PausedWorkingDays(pauses, reference);
        DateOnly? due = accepted is { } acc ? calendar.AddWorkingDays(acc, item.PromisedLimitDays + paused) : null;
        int? left = open && due is { } du ? calendar.WorkingDaysBetween(today, du) : null;
        int? elapsed = accepted is { } ac && decided is { } de ? Math.Max(0, calendar.WorkingDaysBetween(ac, de) - paused) : null;
        var overdue = due is { } dd && ((open && today > dd) || (decided is { } dc && dc > dd));
        var onTime = due is not null && !overdue && state.Status != CaseStatus.Withdrawn;
        var nearDue = open && !overdue && left is <= 1;

        var reviews = new List<DepartmentReview>(item.ReviewDepartments.Count);
        foreach (var dept in item.ReviewDepartments)
        {
            opinions.TryGetValue(dept, out var o);
            DateOnly? deptDue = accepted is { } acd ? calendar.AddWorkingDays(acd, item.ReviewLimitDays + paused) : null;
            var answered = o is null ? (DateOnly?)null : calendar.LocalDate(o.At);
            var pastLimit = deptDue is { } x && reference > x;
            reviews.Add(new DepartmentReview(
                dept,
                o?.Data.Opinion,
                o?.Data.Reason,
                o?.At,
                o?.Actor,
                deptDue,
                Overdue: o is null && open && pastLimit,
                AnsweredLate: answered is { } an && deptDue is { } y && an > y,
                SilentConsent: o is null && item.SilentConsent && pastLimit && state.Status != CaseStatus.AwaitingCorrection,
                NearDue: o is null && open && !pastLimit && deptDue is { } z && calendar.WorkingDaysBetween(today, z) <= 1));
        }

        return state with
        {
            PausedWorkingDays = paused,
            DueDate = due,
            WorkingDaysLeft = left,
            ElapsedWorkingDays = elapsed,
            Overdue = overdue,
            OnTime = onTime,
            NearDue = nearDue,
            DecidedOnTheSpot = accepted is not null && decided == accepted,
            DecidedWithinThreeWorkingDays = elapsed is <= 3,
            Reviews = reviews,
            ReviewOutcome = Outcome(item, reviews),
        };
    }

    private static ReviewOutcome Outcome(ServiceItem item, IReadOnlyList<DepartmentReview> reviews)
    {
        if (item.ReviewRule == ReviewRule.None || reviews.Count == 0)
        {
            return ReviewOutcome.NotRequired;
        }

        if (item.ReviewRule == ReviewRule.AllMustApprove)
        {
            if (reviews.Any(r => r.Opinion == OpinionKind.Reject))
            {
                return ReviewOutcome.Rejected;
            }

            return reviews.All(r => r.Opinion is OpinionKind.Approve or OpinionKind.ApproveWithReferral || r.SilentConsent)
                ? ReviewOutcome.Approved
                : ReviewOutcome.Pending;
        }

        // LeadDecides: the lead waits for every opinion, or for the limit of those that have not answered.
        return reviews.All(r => r.Opinion is not null || r.SilentConsent || r.Overdue)
            ? ReviewOutcome.LeadToDecide
            : ReviewOutcome.Pending;
    }
}
