using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>
/// What <c>case show --json</c> (and <c>case submit --json</c>, each entry of <c>case list --json</c>, and every case
/// action with <c>--json</c>) prints: the node's <see cref="Case"/> with names instead of enum numbers, ISO 8601
/// timestamps, and null for what is not set yet (due date before acceptance, rating before evaluation).
/// </summary>
/// <param name="Number">Case number, e.g. <c>t01-v01-20261127-0007</c>.</param>
/// <param name="Item">Item code.</param>
/// <param name="Status">Status name, e.g. <c>accepted</c> (see <see cref="CaseNames.Status"/>).</param>
/// <param name="Level">Level that decides the case: <c>city</c>, <c>township</c> or <c>village</c>.</param>
/// <param name="DecidingNode">Node that decides the case.</param>
/// <param name="IntakeNode">Node that took the case and delivers it.</param>
/// <param name="Holder">Node that holds the case now.</param>
/// <param name="Channel"><c>window</c> or <c>online</c>.</param>
/// <param name="ApplicantName">Applicant's name.</param>
/// <param name="IdNumber">Applicant's identity document number.</param>
/// <param name="Phone">Applicant's phone; null if none.</param>
/// <param name="SubmittedAt">Submission time.</param>
/// <param name="AcceptedAt">Acceptance time; null before acceptance.</param>
/// <param name="DecidedAt">Decision time; null before the decision.</param>
/// <param name="DueDate">Due date yyyy-MM-dd; null before acceptance.</param>
/// <param name="WorkingDaysLeft">Working days left for an open accepted case (negative when overdue); null otherwise.</param>
/// <param name="PausedWorkingDays">Working days the clock stood still.</param>
/// <param name="Flags">Deadline and outcome flags.</param>
/// <param name="ReviewOutcome">Outcome of the parallel review, e.g. <c>pending</c>, <c>not-required</c>.</param>
/// <param name="Opinions">Each required department's opinion, in the item's order.</param>
/// <param name="MissingMaterials">Materials listed in the correction notice.</param>
/// <param name="DecisionReason">Reason given with the decision; null if none.</param>
/// <param name="CertificateNumber">Certificate number; null before it is issued.</param>
/// <param name="Rating">Rating 1–5; null before evaluation.</param>
/// <param name="RatingComment">Comment with the rating; null if none.</param>
/// <param name="Conflicts">Events the rules could not merge.</param>
/// <param name="History">Every event, in history order.</param>
internal sealed record CaseView(
    string Number,
    string Item,
    string Status,
    string Level,
    string DecidingNode,
    string IntakeNode,
    string Holder,
    string Channel,
    string ApplicantName,
    string IdNumber,
    string? Phone,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? DecidedAt,
    string? DueDate,
    int? WorkingDaysLeft,
    int PausedWorkingDays,
    CaseFlagsView Flags,
    string ReviewOutcome,
    IReadOnlyList<OpinionView> Opinions,
    IReadOnlyList<string> MissingMaterials,
    string? DecisionReason,
    string? CertificateNumber,
    int? Rating,
    string? RatingComment,
    IReadOnlyList<ConflictView> Conflicts,
    IReadOnlyList<HistoryEntryView> History)
{
    /// <summary>The view of a case message.</summary>
    public static CaseView From(Case c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var open = c.Status is CaseStatus.Accepted or CaseStatus.AwaitingCorrection;
        return new CaseView(
            c.Number,
            c.Item,
            CaseNames.Status(c.Status),
            Levels.Name(c.Level),
            c.DecidingNode,
            c.IntakeNode,
            c.Holder,
            CaseNames.Channel(c.Channel),
            c.ApplicantName,
            c.IdNumber,
            Blank(c.Phone),
            NodeStatusView.Time(c.SubmittedAt),
            NodeStatusView.Time(c.AcceptedAt),
            NodeStatusView.Time(c.DecidedAt),
            Blank(c.DueDate),
            open && !string.IsNullOrEmpty(c.DueDate) ? c.WorkingDaysLeft : null,
            c.PausedWorkingDays,
            CaseFlagsView.From(c.Flags ?? new CaseFlags()),
            CaseNames.Outcome(c.ReviewOutcome),
            c.Opinions.Select(OpinionView.From).ToList(),
            c.MissingMaterials.ToList(),
            Blank(c.DecisionReason),
            Blank(c.CertificateNumber),
            c.Rating is >= 1 and <= 5 ? c.Rating : null,
            Blank(c.RatingComment),
            c.Conflicts.Select(x => new ConflictView(x.EventId, x.Message)).ToList(),
            c.History.Select(HistoryEntryView.From).ToList());
    }

    internal static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>Deadline and outcome flags of a case (see <see cref="CaseFlags"/>).</summary>
/// <param name="OnTime">Accepted and not overdue.</param>
/// <param name="NearDue">Open, one working day or less left.</param>
/// <param name="Overdue">Open past the due date, or decided after it.</param>
/// <param name="Paused">Paused for correction now.</param>
/// <param name="DecidedOnTheSpot">Decided on the day of acceptance.</param>
/// <param name="DecidedWithinThreeWorkingDays">Decided within 3 working days of acceptance.</param>
/// <param name="HasConflict">Some event could not be merged.</param>
internal sealed record CaseFlagsView(
    bool OnTime,
    bool NearDue,
    bool Overdue,
    bool Paused,
    bool DecidedOnTheSpot,
    bool DecidedWithinThreeWorkingDays,
    bool HasConflict)
{
    /// <summary>The view of a flags message.</summary>
    public static CaseFlagsView From(CaseFlags f) => new(
        f.OnTime, f.NearDue, f.Overdue, f.Paused, f.DecidedOnTheSpot, f.DecidedWithinThreeWorkingDays, f.HasConflict);

    /// <summary>The set flags as words for a table, e.g. "on time, decided on the spot"; "-" when none is set.</summary>
    public string Describe()
    {
        var words = new List<string>();
        Add(OnTime, "on time");
        Add(NearDue, "near due");
        Add(Overdue, "OVERDUE");
        Add(Paused, "paused (补正)");
        Add(DecidedOnTheSpot, "decided on the spot");
        Add(DecidedWithinThreeWorkingDays && !DecidedOnTheSpot, "decided within 3 working days");
        Add(HasConflict, "CONFLICT");
        return words.Count == 0 ? "-" : string.Join(", ", words);

        void Add(bool set, string word)
        {
            if (set)
            {
                words.Add(word);
            }
        }
    }
}

/// <summary>The clerk who acted.</summary>
/// <param name="UserId">User id.</param>
/// <param name="Department">Department code.</param>
internal sealed record ClerkView(string UserId, string Department)
{
    /// <summary>The view of a clerk message; null when unset.</summary>
    public static ClerkView? From(Clerk? c) => c is null ? null : new ClerkView(c.UserId, c.Department);

    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(Department) ? UserId : $"{UserId} ({Department})";
}

/// <summary>One required department's part in the parallel review.</summary>
/// <param name="Department">Department code.</param>
/// <param name="Opinion"><c>approve</c>, <c>reject</c> or <c>refer</c> (approve with referral); null if not answered.</param>
/// <param name="Reason">Reasons given; null if none.</param>
/// <param name="DueDate">Last working day for the opinion, yyyy-MM-dd; null if none.</param>
/// <param name="Overdue">Not answered and past its due date.</param>
/// <param name="NearDue">Not answered, one working day or less left.</param>
/// <param name="AnsweredLate">Answered after its due date.</param>
/// <param name="SilentConsent">Not answered by its limit, counted as consent.</param>
/// <param name="AnsweredAt">When it answered; null if not.</param>
/// <param name="Actor">Clerk who answered; null if not.</param>
internal sealed record OpinionView(
    string Department,
    string? Opinion,
    string? Reason,
    string? DueDate,
    bool Overdue,
    bool NearDue,
    bool AnsweredLate,
    bool SilentConsent,
    DateTimeOffset? AnsweredAt,
    ClerkView? Actor)
{
    /// <summary>The view of an opinion message.</summary>
    public static OpinionView From(DepartmentOpinion o) => new(
        o.Department,
        CaseNames.Opinion(o.Opinion),
        CaseView.Blank(o.Reason),
        CaseView.Blank(o.DueDate),
        o.Overdue,
        o.NearDue,
        o.AnsweredLate,
        o.SilentConsent,
        NodeStatusView.Time(o.AnsweredAt),
        ClerkView.From(o.Clerk));
}

/// <summary>An event kept in the history that the rules could not merge.</summary>
/// <param name="EventId">Id of the event.</param>
/// <param name="Message">Why it could not be merged.</param>
internal sealed record ConflictView(string EventId, string Message);

/// <summary>One event of a case's history; fields that do not belong to its kind are null.</summary>
/// <param name="Id">Event id, unique across the network.</param>
/// <param name="Kind">Kind as the node names it, e.g. <c>Submitted</c>, <c>Routed</c>, <c>OpinionRecorded</c>, <c>Decided</c>.</param>
/// <param name="Node">Node where it happened.</param>
/// <param name="Actor">Clerk who acted.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Reason of a refusal, opinion, decision or withdrawal.</param>
/// <param name="Materials">Materials of a correction notice (empty for other kinds).</param>
/// <param name="TargetNode">Node routed to.</param>
/// <param name="Department">Department of an opinion.</param>
/// <param name="Opinion">The opinion: <c>approve</c>, <c>reject</c> or <c>refer</c>.</param>
/// <param name="Approved">Decision or pre-review outcome; null for other kinds.</param>
/// <param name="CertificateNumber">Certificate number.</param>
/// <param name="Rating">Rating 1–5.</param>
/// <param name="Comment">Comment with the rating.</param>
internal sealed record HistoryEntryView(
    string Id,
    string Kind,
    string Node,
    ClerkView? Actor,
    DateTimeOffset? At,
    string? Reason,
    IReadOnlyList<string> Materials,
    string? TargetNode,
    string? Department,
    string? Opinion,
    bool? Approved,
    string? CertificateNumber,
    int? Rating,
    string? Comment)
{
    /// <summary>The view of a history entry message.</summary>
    public static HistoryEntryView From(CaseHistoryEntry h) => new(
        h.Id,
        h.Kind,
        h.Node,
        ClerkView.From(h.Actor),
        NodeStatusView.Time(h.At),
        CaseView.Blank(h.Reason),
        h.Materials.ToList(),
        CaseView.Blank(h.TargetNode),
        CaseView.Blank(h.Department),
        CaseNames.Opinion(h.Opinion),
        h.Kind is "Decided" or "PreReviewPassed" or "PreReviewFailed" ? h.Approved : null,
        CaseView.Blank(h.CertificateNumber),
        h.Rating is >= 1 and <= 5 ? h.Rating : null,
        CaseView.Blank(h.Comment));

    /// <summary>What happened, in words for the timeline, e.g. "opinion of QS: approve — 材料齐全".</summary>
    public string Describe()
    {
        var what = Kind switch
        {
            "Submitted" => "submitted",
            "PreReviewPassed" => "pre-review passed",
            "PreReviewFailed" => "pre-review failed",
            "Accepted" => "accepted (受理), clock starts",
            "CorrectionRequested" => $"correction requested (补正), clock paused; missing: {string.Join("; ", Materials)}",
            "CorrectionSupplied" => "missing materials supplied, clock runs",
            "Routed" => $"routed up to {TargetNode}",
            "OpinionRecorded" => $"opinion of {Department}: {Opinion}",
            "Decided" => Approved == true ? "decided (办结): approved" : "decided (办结): rejected",
            "CertificateIssued" => $"certificate {CertificateNumber} issued",
            "Delivered" => "delivered (送达)",
            "Evaluated" => $"evaluated (好差评): {Rating}/5",
            "Withdrawn" => "withdrawn",
            _ => Kind,
        };
        var note = Kind == "Evaluated" ? Comment : Reason;
        return string.IsNullOrEmpty(note) ? what : $"{what} — {note}";
    }
}

/// <summary>The names the CLI prints and accepts for case statuses, channels, opinions and review outcomes.</summary>
internal static class CaseNames
{
    /// <summary>Status names accepted by <c>case list --status</c>, in lifecycle order.</summary>
    public static readonly string[] StatusNames =
    [
        "submitted", "pre-review-passed", "pre-review-failed", "accepted", "awaiting-correction",
        "approved", "rejected", "certificate-issued", "delivered", "withdrawn",
    ];

    /// <summary>Opinion names accepted by <c>case opinion --verdict</c>.</summary>
    public static readonly string[] OpinionNames = ["approve", "reject", "refer"];

    /// <summary>Name of a status.</summary>
    public static string Status(CaseStatus s) => s switch
    {
        CaseStatus.Submitted => "submitted",
        CaseStatus.PreReviewPassed => "pre-review-passed",
        CaseStatus.PreReviewFailed => "pre-review-failed",
        CaseStatus.Accepted => "accepted",
        CaseStatus.AwaitingCorrection => "awaiting-correction",
        CaseStatus.Approved => "approved",
        CaseStatus.Rejected => "rejected",
        CaseStatus.CertificateIssued => "certificate-issued",
        CaseStatus.Delivered => "delivered",
        CaseStatus.Withdrawn => "withdrawn",
        _ => "unspecified",
    };

    /// <summary>Status from its name; <see cref="CaseStatus.Unspecified"/> (any) for null or unknown.</summary>
    public static CaseStatus ParseStatus(string? name) =>
        Enum.GetValues<CaseStatus>().FirstOrDefault(s => s != CaseStatus.Unspecified && Status(s) == name?.ToLowerInvariant());

    /// <summary>Name of a channel.</summary>
    public static string Channel(CaseChannel c) => c == CaseChannel.Online ? "online" : "window";

    /// <summary>Name of an opinion; null if not answered.</summary>
    public static string? Opinion(Opinion o) => o switch
    {
        Protos.V1.Opinion.Approve => "approve",
        Protos.V1.Opinion.Reject => "reject",
        Protos.V1.Opinion.ApproveWithReferral => "refer",
        _ => null,
    };

    /// <summary>Opinion from its name; <see cref="Opinion.Unspecified"/> if unknown.</summary>
    public static Opinion ParseOpinion(string? name) => name?.ToLowerInvariant() switch
    {
        "approve" => Protos.V1.Opinion.Approve,
        "reject" => Protos.V1.Opinion.Reject,
        "refer" => Protos.V1.Opinion.ApproveWithReferral,
        _ => Protos.V1.Opinion.Unspecified,
    };

    /// <summary>Name of a review outcome.</summary>
    public static string Outcome(ReviewOutcome o) => o switch
    {
        ReviewOutcome.NotRequired => "not-required",
        ReviewOutcome.Pending => "pending",
        ReviewOutcome.Approved => "approved",
        ReviewOutcome.Rejected => "rejected",
        ReviewOutcome.LeadToDecide => "lead-to-decide",
        _ => "unspecified",
    };
}
