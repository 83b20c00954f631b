using System.Globalization;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>Why a rule refused an action; maps to a gRPC status.</summary>
public enum RefusalKind
{
    /// <summary>Allowed.</summary>
    None = 0,

    /// <summary>The action is malformed (missing reason, rating out of range …): INVALID_ARGUMENT.</summary>
    InvalidArgument = 1,

    /// <summary>The case is not in a state that allows the action: FAILED_PRECONDITION.</summary>
    State = 2,

    /// <summary>The acting node or department may not take the action: PERMISSION_DENIED.</summary>
    Permission = 3,
}

/// <summary>An action allowed, or refused with a message that says why.</summary>
/// <param name="Kind">Refusal kind; <see cref="RefusalKind.None"/> when allowed.</param>
/// <param name="Message">Why it was refused; empty when allowed.</param>
public sealed record CaseVerdict(RefusalKind Kind, string Message)
{
    /// <summary>The action is allowed.</summary>
    public static CaseVerdict Allow { get; } = new(RefusalKind.None, string.Empty);

    /// <summary>True if allowed.</summary>
    public bool Allowed => Kind == RefusalKind.None;

    internal static CaseVerdict Invalid(string m) => new(RefusalKind.InvalidArgument, m);

    internal static CaseVerdict Refuse(string m) => new(RefusalKind.State, m);

    internal static CaseVerdict Deny(string m) => new(RefusalKind.Permission, m);
}

/// <summary>
/// The transition rules of a case: whether an event may follow the history so far. Used both to validate a new action
/// and, in <see cref="CaseDerivation"/>, to find events that cannot be merged. Level rules: only the node of the item's
/// handling level accepts, reviews and decides; lower nodes route the case up one level at a time; the intake node delivers.
/// </summary>
public static class CaseRules
{
    /// <summary>Checks <paramref name="e"/> against <paramref name="state"/> (the state just before it, as of the event's time).</summary>
    public static CaseVerdict Check(CaseState state, CaseEvent e, ServiceItem item, WorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(calendar);
        var n = state.Number;
        var path = new CasePath(state.Header.IntakeScope);
        if (path.LevelOf(e.NodeId) is null)
        {
            return CaseVerdict.Deny($"Node {e.NodeId} is not on the path of case {n} ({state.Header.IntakeScope}); it cannot act on it.");
        }

        if (string.IsNullOrWhiteSpace(e.Actor.UserId) || string.IsNullOrWhiteSpace(e.Actor.Department))
        {
            return CaseVerdict.Invalid("The acting clerk's user id and department are required.");
        }

        if (e.Kind == CaseEventKind.Submitted)
        {
            if (state.Status != CaseStatus.None)
            {
                return CaseVerdict.Refuse($"Case {n} was already submitted.");
            }

            if (state.DecidingNode is null)
            {
                return CaseVerdict.Refuse($"Item {item.Code} is decided at {NodeLevels.Name(item.HandlingLevel)} level, below {e.NodeId}; file it at a {NodeLevels.Name(item.HandlingLevel)} node.");
            }

            return e.NodeId == state.Header.IntakeNode
                ? CaseVerdict.Allow
                : CaseVerdict.Deny($"Case {n} is submitted at its intake node {state.Header.IntakeNode}, not at {e.NodeId}.");
        }

        var closed = state.Status switch
        {
            CaseStatus.None => $"Case {n} has no submission yet.",
            CaseStatus.Withdrawn => $"Case {n} was withdrawn; no further action is possible.",
            CaseStatus.PreReviewFailed => $"Case {n} failed pre-review ({state.ClosingReason}); the applicant must file a new case.",
            _ => null,
        };
        if (closed is not null)
        {
            return CaseVerdict.Refuse(closed);
        }

        return e.Kind switch
        {
            CaseEventKind.PreReviewPassed or CaseEventKind.PreReviewFailed => PreReview(state, e),
            CaseEventKind.Routed => Route(state, e, item, path),
            CaseEventKind.Accepted => Accept(state, e, item),
            CaseEventKind.CorrectionRequested => RequestCorrection(state, e),
            CaseEventKind.CorrectionSupplied => SupplyCorrection(state, e),
            CaseEventKind.OpinionRecorded => Opinion(state, e, item),
            CaseEventKind.Decided => Decide(state, e, item),
            CaseEventKind.CertificateIssued => IssueCertificate(state, e),
            CaseEventKind.Delivered => Deliver(state, e),
            CaseEventKind.Evaluated => Evaluate(state, e),
            CaseEventKind.Withdrawn => Withdraw(state, e),
            _ => CaseVerdict.Invalid($"Unknown event kind {e.Kind}."),
        };
    }

    private static CaseVerdict PreReview(CaseState s, CaseEvent e)
    {
        if (s.Header.Channel != CaseChannel.Online)
        {
            return CaseVerdict.Refuse($"Case {s.Number} was filed at a window; only online submissions are pre-reviewed (网上预审).");
        }

        if (s.Status != CaseStatus.Submitted)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; pre-review is only for a case just submitted.");
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"Case {s.Number} is pre-reviewed at its deciding node {s.DecidingNode}, not at {e.NodeId}.");
        }

        return e.Kind == CaseEventKind.PreReviewFailed && string.IsNullOrWhiteSpace(e.Data.Reason)
            ? CaseVerdict.Invalid("A failed pre-review needs a reason for the applicant.")
            : CaseVerdict.Allow;
    }

    private static CaseVerdict Route(CaseState s, CaseEvent e, ServiceItem item, CasePath path)
    {
        if (s.Status != CaseStatus.Submitted)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; only a case not yet accepted is routed.");
        }

        if (e.NodeId != s.Holder)
        {
            return CaseVerdict.Deny($"Case {s.Number} is held at {s.Holder}; only that node can route it, not {e.NodeId}.");
        }

        var level = path.LevelOf(s.Holder)!.Value;
        if (level <= item.HandlingLevel)
        {
            return CaseVerdict.Refuse($"Item {item.Code} is decided at {NodeLevels.Name(item.HandlingLevel)} level, so {s.Holder} decides case {s.Number}; it is not routed further.");
        }

        var parent = path.NodeAt(level - 1)!;
        if (e.Data.TargetNode != parent || e.Data.TargetLevel != level - 1)
        {
            return CaseVerdict.Invalid($"Case {s.Number} routes one level up, from {s.Holder} to {NodeLevels.Name(level - 1)} node {parent}; '{e.Data.TargetNode}' is not it.");
        }

        return CaseVerdict.Allow;
    }

    private static CaseVerdict Accept(CaseState s, CaseEvent e, ServiceItem item)
    {
        if (s.Header.Channel == CaseChannel.Online && s.Status == CaseStatus.Submitted)
        {
            return CaseVerdict.Refuse($"Case {s.Number} was filed online; it must pass pre-review before it is accepted.");
        }

        if (s.Status is not (CaseStatus.Submitted or CaseStatus.PreReviewPassed))
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; it was already accepted.");
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"Item {item.Code} is accepted and decided at {NodeLevels.Name(item.HandlingLevel)} level by {s.DecidingNode ?? "no node on this case's path"}; {e.NodeId} must route case {s.Number} up.");
        }

        return s.Holder == e.NodeId
            ? CaseVerdict.Allow
            : CaseVerdict.Refuse($"Case {s.Number} is still held at {s.Holder}; it must be routed to {e.NodeId} before it is accepted.");
    }

    private static CaseVerdict RequestCorrection(CaseState s, CaseEvent e)
    {
        if (s.Status == CaseStatus.AwaitingCorrection)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is already awaiting correction.");
        }

        if (s.Status != CaseStatus.Accepted)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; correction is requested only for an accepted case under review.");
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"Only the deciding node {s.DecidingNode} asks for correction of case {s.Number}, not {e.NodeId}.");
        }

        if (s.CorrectionRequested)
        {
            return CaseVerdict.Refuse($"Case {s.Number} already had its correction notice; missing materials must be listed in one notice (Administrative Licensing Law Art. 32).");
        }

        return e.Data.Materials is { Count: > 0 } m && m.All(x => !string.IsNullOrWhiteSpace(x))
            ? CaseVerdict.Allow
            : CaseVerdict.Invalid("A correction notice (补正) must list every missing material.");
    }

    private static CaseVerdict SupplyCorrection(CaseState s, CaseEvent e)
    {
        if (s.Status != CaseStatus.AwaitingCorrection)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; it is not awaiting correction.");
        }

        return e.NodeId == s.Header.IntakeNode || e.NodeId == s.DecidingNode
            ? CaseVerdict.Allow
            : CaseVerdict.Deny($"Materials for case {s.Number} are supplied at its intake node {s.Header.IntakeNode} or deciding node {s.DecidingNode}, not at {e.NodeId}.");
    }

    private static CaseVerdict Opinion(CaseState s, CaseEvent e, ServiceItem item)
    {
        if (UnderReview(s, "reviewed") is { } refused)
        {
            return refused;
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"Opinions on case {s.Number} are recorded at its deciding node {s.DecidingNode}, not at {e.NodeId}.");
        }

        var dept = e.Data.Department;
        if (string.IsNullOrWhiteSpace(dept) || e.Data.Opinion is null)
        {
            return CaseVerdict.Invalid("An opinion needs the department and approve, reject or approve-with-referral.");
        }

        if (!item.ReviewDepartments.Contains(dept, StringComparer.Ordinal))
        {
            var required = item.ReviewDepartments.Count == 0 ? "none" : string.Join(", ", item.ReviewDepartments);
            return CaseVerdict.Deny($"Item {item.Code} does not require an opinion of department {dept} (required: {required}).");
        }

        if (e.Actor.Department != dept)
        {
            return CaseVerdict.Deny($"A clerk of department {e.Actor.Department} cannot record the opinion of department {dept}.");
        }

        if (s.Reviews.FirstOrDefault(r => r.Department == dept) is { Opinion: not null } done)
        {
            return CaseVerdict.Refuse($"Department {dept} already gave its opinion on case {s.Number} ({done.Opinion}); one opinion per department.");
        }

        return e.Data.Opinion == OpinionKind.Reject && string.IsNullOrWhiteSpace(e.Data.Reason)
            ? CaseVerdict.Invalid("A rejecting opinion needs its reasons.")
            : CaseVerdict.Allow;
    }

    private static CaseVerdict Decide(CaseState s, CaseEvent e, ServiceItem item)
    {
        if (UnderReview(s, "decided") is { } refused)
        {
            return refused;
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"Item {item.Code} is decided at {NodeLevels.Name(item.HandlingLevel)} level by {s.DecidingNode}; {e.NodeId} cannot decide case {s.Number}.");
        }

        if (!string.IsNullOrEmpty(item.LeadDepartment) && e.Actor.Department != item.LeadDepartment)
        {
            return CaseVerdict.Deny($"Case {s.Number} is decided by the lead department {item.LeadDepartment}, not by {e.Actor.Department}.");
        }

        if (e.Data.Approved is not { } approved)
        {
            return CaseVerdict.Invalid("A decision is approved or rejected.");
        }

        if (!approved && string.IsNullOrWhiteSpace(e.Data.Reason))
        {
            return CaseVerdict.Invalid("A rejection needs its reasons.");
        }

        switch (s.ReviewOutcome)
        {
            case ReviewOutcome.Pending:
                var waiting = s.Reviews.Where(r => r.Opinion is null && !r.SilentConsent && !r.Overdue)
                    .Select(r => r.Due is { } d ? $"{r.Department} (due {d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})" : r.Department);
                return CaseVerdict.Refuse($"Case {s.Number} is waiting for the opinions of {string.Join(", ", waiting)}; under rule {item.ReviewRule} it cannot be decided yet.");
            case ReviewOutcome.Rejected when approved:
                var rejecting = s.Reviews.Where(r => r.Opinion == OpinionKind.Reject).Select(r => $"{r.Department} ({r.Reason})");
                return CaseVerdict.Refuse($"Case {s.Number} cannot be approved: under rule AllMustApprove it was rejected by {string.Join(", ", rejecting)}.");
            case ReviewOutcome.Approved when !approved:
                return CaseVerdict.Refuse($"Case {s.Number} cannot be rejected: under rule AllMustApprove every required department approved.");
            default:
                return CaseVerdict.Allow;
        }
    }

    private static CaseVerdict IssueCertificate(CaseState s, CaseEvent e)
    {
        if (s.Status != CaseStatus.Approved)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; a certificate is issued only for an approved case, once.");
        }

        if (e.NodeId != s.DecidingNode)
        {
            return CaseVerdict.Deny($"The certificate of case {s.Number} is issued by its deciding node {s.DecidingNode}, not {e.NodeId}.");
        }

        return string.IsNullOrWhiteSpace(e.Data.CertificateNumber) ? CaseVerdict.Invalid("A certificate needs its number.") : CaseVerdict.Allow;
    }

    private static CaseVerdict Deliver(CaseState s, CaseEvent e)
    {
        if (s.Status is not (CaseStatus.Approved or CaseStatus.Rejected or CaseStatus.CertificateIssued))
        {
            return CaseVerdict.Refuse(s.Status == CaseStatus.Delivered
                ? $"Case {s.Number} was already delivered."
                : $"Case {s.Number} is {Describe(s.Status)}; only a decided case is delivered.");
        }

        return e.NodeId == s.Header.IntakeNode
            ? CaseVerdict.Allow
            : CaseVerdict.Deny($"Case {s.Number} is delivered (送达) at its intake node {s.Header.IntakeNode}, not at {e.NodeId}.");
    }

    private static CaseVerdict Evaluate(CaseState s, CaseEvent e)
    {
        if (s.Rating is not null)
        {
            return CaseVerdict.Refuse($"Case {s.Number} was already rated ({s.Rating}); one rating per case.");
        }

        if (s.Status != CaseStatus.Delivered)
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; it is evaluated after delivery.");
        }

        if (e.Data.Rating is not (>= 1 and <= 5))
        {
            return CaseVerdict.Invalid($"A rating is 1 (非常不满意) to 5 (非常满意); {e.Data.Rating?.ToString(CultureInfo.InvariantCulture) ?? "none"} was given.");
        }

        // The agency's per-job score travels with the case's rating: both or neither.
        if (string.IsNullOrWhiteSpace(e.Data.Agency))
        {
            return e.Data.AgencyScore is null
                ? CaseVerdict.Allow
                : CaseVerdict.Invalid("An agency score is given for the agency that did the job; no agency was named.");
        }

        return e.Data.AgencyScore is >= 1 and <= 5
            ? CaseVerdict.Allow
            : CaseVerdict.Invalid($"Agency {e.Data.Agency}'s job is scored 1 to 5; {e.Data.AgencyScore?.ToString(CultureInfo.InvariantCulture) ?? "none"} was given.");
    }

    private static CaseVerdict Withdraw(CaseState s, CaseEvent e)
    {
        if (s.Status is not (CaseStatus.Submitted or CaseStatus.PreReviewPassed or CaseStatus.Accepted or CaseStatus.AwaitingCorrection))
        {
            return CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; it can be withdrawn only before the decision.");
        }

        return e.NodeId == s.Header.IntakeNode || e.NodeId == s.Holder || e.NodeId == s.DecidingNode
            ? CaseVerdict.Allow
            : CaseVerdict.Deny($"Case {s.Number} is withdrawn at its intake node {s.Header.IntakeNode} or where it is handled, not at {e.NodeId}.");
    }

    private static CaseVerdict? UnderReview(CaseState s, string verb) => s.Status switch
    {
        CaseStatus.Accepted => null,
        CaseStatus.AwaitingCorrection => CaseVerdict.Refuse($"Case {s.Number} is awaiting correction; it cannot be {verb} until the missing materials are supplied ({string.Join(", ", s.MissingMaterials)})."),
        CaseStatus.Submitted or CaseStatus.PreReviewPassed => CaseVerdict.Refuse($"Case {s.Number} has not been accepted (受理) yet; it cannot be {verb}."),
        _ => CaseVerdict.Refuse($"Case {s.Number} is {Describe(s.Status)}; it cannot be {verb} again."),
    };

    /// <summary>The status in words for messages.</summary>
    public static string Describe(CaseStatus status) => status switch
    {
        CaseStatus.None => "not submitted",
        CaseStatus.Submitted => "submitted",
        CaseStatus.PreReviewPassed => "pre-reviewed",
        CaseStatus.PreReviewFailed => "refused at pre-review",
        CaseStatus.Accepted => "accepted and under review",
        CaseStatus.AwaitingCorrection => "awaiting correction",
        CaseStatus.Approved => "approved",
        CaseStatus.Rejected => "rejected",
        CaseStatus.CertificateIssued => "approved with its certificate issued",
        CaseStatus.Delivered => "delivered",
        CaseStatus.Withdrawn => "withdrawn",
        _ => status.ToString(),
    };

}
