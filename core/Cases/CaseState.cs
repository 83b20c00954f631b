using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>Where a case stands.</summary>
public enum CaseStatus
{
    /// <summary>No submission event yet (only seen before the first event).</summary>
    None = 0,

    /// <summary>Filed; waiting for pre-review, routing or acceptance.</summary>
    Submitted = 1,

    /// <summary>Online pre-review passed; waiting for acceptance.</summary>
    PreReviewPassed = 2,

    /// <summary>Online pre-review failed; closed.</summary>
    PreReviewFailed = 3,

    /// <summary>Accepted (受理): under review, clock running.</summary>
    Accepted = 4,

    /// <summary>Awaiting correction (补正): clock paused.</summary>
    AwaitingCorrection = 5,

    /// <summary>Decided (办结): approved.</summary>
    Approved = 6,

    /// <summary>Decided (办结): rejected.</summary>
    Rejected = 7,

    /// <summary>Approved and the certificate issued; waiting for delivery.</summary>
    CertificateIssued = 8,

    /// <summary>Result delivered (送达) to the applicant.</summary>
    Delivered = 9,

    /// <summary>Withdrawn by the applicant.</summary>
    Withdrawn = 10,
}

/// <summary>Outcome of a parallel review (并联审批) under the item's review rule.</summary>
public enum ReviewOutcome
{
    /// <summary>The item has no parallel review; the lead department decides alone.</summary>
    NotRequired = 0,

    /// <summary>Opinions are still awaited.</summary>
    Pending = 1,

    /// <summary>AllMustApprove: every department approved (or consented silently).</summary>
    Approved = 2,

    /// <summary>AllMustApprove: a department rejected.</summary>
    Rejected = 3,

    /// <summary>LeadDecides: every department has answered or passed its limit; the lead department decides.</summary>
    LeadToDecide = 4,
}

/// <summary>One required department's part in a parallel review.</summary>
/// <param name="Department">Department code.</param>
/// <param name="Opinion">Its opinion, or null if it has not answered.</param>
/// <param name="Reason">Reason given with the opinion.</param>
/// <param name="AnsweredAt">When it answered.</param>
/// <param name="Actor">Who answered.</param>
/// <param name="Due">Last working day for its opinion (review limit after acceptance, pauses excluded); null before acceptance.</param>
/// <param name="Overdue">Not answered and past its due date while the case is open.</param>
/// <param name="AnsweredLate">Answered after its due date.</param>
/// <param name="SilentConsent">Not answered by its limit and the item treats that as consent (超时默许).</param>
/// <param name="NearDue">Not answered, not yet overdue, and one working day or less left while the case is open.</param>
public sealed record DepartmentReview(
    string Department,
    OpinionKind? Opinion,
    string? Reason,
    DateTimeOffset? AnsweredAt,
    CaseActor? Actor,
    DateOnly? Due,
    bool Overdue,
    bool AnsweredLate,
    bool SilentConsent,
    bool NearDue);

/// <summary>An event that the rules could not merge into the history (e.g. withdrawn at a village while decided at the city): it is kept, and shown.</summary>
/// <param name="Event">The event that could not be applied.</param>
/// <param name="Message">Why the rules refused it at its place in the history.</param>
public sealed record CaseConflict(CaseEvent Event, string Message);

/// <summary>
/// A case's state, derived from its header and history by <see cref="CaseDerivation.Derive"/>. Every node derives the same
/// state from the same history, whatever order the events arrived in.
/// </summary>
public sealed record CaseState
{
    /// <summary>The header.</summary>
    public required CaseHeader Header { get; init; }

    /// <summary>Case number.</summary>
    public string Number => Header.Number;

    /// <summary>Status.</summary>
    public CaseStatus Status { get; init; }

    /// <summary>Level that decides the case (the item's handling level).</summary>
    public NodeLevel DecidingLevel { get; init; }

    /// <summary>Node that decides the case: the intake path's node at the deciding level; null if the path does not reach it.</summary>
    public string? DecidingNode { get; init; }

    /// <summary>Node that holds the case now (acts next): intake, a node routed to, the deciding node, or the intake node for delivery.</summary>
    public required string Holder { get; init; }

    /// <summary>Acceptance (受理) time; the clock starts.</summary>
    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>Decision (办结) time.</summary>
    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Reason given with the decision.</summary>
    public string? DecisionReason { get; init; }

    /// <summary>Delivery (送达) time.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>Certificate number, once issued.</summary>
    public string? CertificateNumber { get; init; }

    /// <summary>The case is paused for correction now.</summary>
    public bool Paused { get; init; }

    /// <summary>Whether a correction notice was ever sent (the law allows one notice listing everything, Art. 32).</summary>
    public bool CorrectionRequested { get; init; }

    /// <summary>Missing materials listed in the correction notice.</summary>
    public IReadOnlyList<string> MissingMaterials { get; init; } = [];

    /// <summary>Working days the clock stood still (an open pause counts up to today).</summary>
    public int PausedWorkingDays { get; init; }

    /// <summary>Due date: acceptance + promised working days + paused working days; null before acceptance.</summary>
    public DateOnly? DueDate { get; init; }

    /// <summary>Working days left until the due date for an open case (negative when overdue); null otherwise.</summary>
    public int? WorkingDaysLeft { get; init; }

    /// <summary>Working days from acceptance to decision, pauses excluded.</summary>
    public int? ElapsedWorkingDays { get; init; }

    /// <summary>Accepted and not overdue (decided by the due date, or open and not past it).</summary>
    public bool OnTime { get; init; }

    /// <summary>Open, not overdue, and one working day or less left.</summary>
    public bool NearDue { get; init; }

    /// <summary>Open past the due date, or decided after it.</summary>
    public bool Overdue { get; init; }

    /// <summary>Decided on the very day of acceptance (即办), no pause in between.</summary>
    public bool DecidedOnTheSpot { get; init; }

    /// <summary>Decided within 3 working days of acceptance, pauses excluded.</summary>
    public bool DecidedWithinThreeWorkingDays { get; init; }

    /// <summary>Required departments and their opinions, in the item's order.</summary>
    public IReadOnlyList<DepartmentReview> Reviews { get; init; } = [];

    /// <summary>Outcome of the parallel review under the item's rule.</summary>
    public ReviewOutcome ReviewOutcome { get; init; }

    /// <summary>Applicant's rating 1–5, once evaluated.</summary>
    public int? Rating { get; init; }

    /// <summary>Applicant's comment with the rating.</summary>
    public string? RatingComment { get; init; }

    /// <summary>Reason of a withdrawal or a failed pre-review.</summary>
    public string? ClosingReason { get; init; }

    /// <summary>Every event, in history order, including conflicting ones.</summary>
    public IReadOnlyList<CaseEvent> History { get; init; } = [];

    /// <summary>Events the rules could not merge; kept and shown, never dropped.</summary>
    public IReadOnlyList<CaseConflict> Conflicts { get; init; } = [];

    /// <summary>True if some event could not be merged (see <see cref="Conflicts"/>).</summary>
    public bool HasConflict => Conflicts.Count > 0;

    /// <summary>Accepted and not yet decided, withdrawn or closed.</summary>
    public bool IsOpen => Status is CaseStatus.Accepted or CaseStatus.AwaitingCorrection;

    /// <summary>Decided (approved or rejected), whatever happened after.</summary>
    public bool IsDecided => DecidedAt is not null;
}
