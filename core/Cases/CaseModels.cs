using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>Where a case (办件) was filed.</summary>
public enum CaseChannel
{
    /// <summary>At a service window; the intake node holds the case until it routes it up.</summary>
    Window = 1,

    /// <summary>Online for pre-review (网上预审); the deciding node holds it from the start, the intake node delivers.</summary>
    Online = 2,
}

/// <summary>
/// The immutable header of a case (办件): what is applied for, by whom, and where it entered the network.
/// Everything that happens afterwards is a <see cref="CaseEvent"/>.
/// </summary>
/// <param name="Number">Case number, unique across the network, e.g. <c>t01-v01-20261127-0007</c> (see <see cref="CaseNumbers"/>).</param>
/// <param name="ItemCode">Code of the service item (事项).</param>
/// <param name="ApplicantName">Applicant's name.</param>
/// <param name="IdNumber">Applicant's identity document number.</param>
/// <param name="Phone">Applicant's phone, or null.</param>
/// <param name="IntakeNode">Node that took the case; it delivers the result.</param>
/// <param name="IntakeScope">Scope path of the intake node, e.g. <c>city/t01/t01-v01</c>; the case's rows sync inside it.</param>
/// <param name="SubmittedAt">Time of submission.</param>
/// <param name="Channel">Window or online.</param>
public sealed record CaseHeader(
    string Number,
    string ItemCode,
    string ApplicantName,
    string IdNumber,
    string? Phone,
    string IntakeNode,
    string IntakeScope,
    DateTimeOffset SubmittedAt,
    CaseChannel Channel);

/// <summary>The clerk who acted (until authentication lands, as stated by the caller).</summary>
/// <param name="UserId">User id of the clerk.</param>
/// <param name="Department">Department code of the clerk.</param>
public sealed record CaseActor(string UserId, string Department);

/// <summary>What happened to a case.</summary>
public enum CaseEventKind
{
    /// <summary>Filed at a window or online.</summary>
    Submitted = 1,

    /// <summary>Online pre-review (网上预审) found the application complete.</summary>
    PreReviewPassed = 2,

    /// <summary>Online pre-review refused the application (with reason); the applicant files anew.</summary>
    PreReviewFailed = 3,

    /// <summary>Acceptance (受理): the application is complete and the clock starts.</summary>
    Accepted = 4,

    /// <summary>Correction (补正) requested: the missing materials in one notice; the clock is paused.</summary>
    CorrectionRequested = 5,

    /// <summary>The missing materials were supplied; the clock runs again.</summary>
    CorrectionSupplied = 6,

    /// <summary>Routed one level up towards the level that decides the item.</summary>
    Routed = 7,

    /// <summary>One department's opinion in a parallel review (并联审批).</summary>
    OpinionRecorded = 8,

    /// <summary>Decision (办结): approved or rejected, with reason.</summary>
    Decided = 9,

    /// <summary>Certificate or licence issued.</summary>
    CertificateIssued = 10,

    /// <summary>Result handed to the applicant (送达) at the intake node.</summary>
    Delivered = 11,

    /// <summary>Applicant's evaluation (好差评), 1–5 with comment.</summary>
    Evaluated = 12,

    /// <summary>Withdrawn by the applicant before the decision.</summary>
    Withdrawn = 13,
}

/// <summary>A department's answer in a parallel review.</summary>
public enum OpinionKind
{
    /// <summary>Approve.</summary>
    Approve = 1,

    /// <summary>Reject, with reasons.</summary>
    Reject = 2,

    /// <summary>Approve, referring a matter to another department or to later supervision.</summary>
    ApproveWithReferral = 3,
}

/// <summary>The five levels of an evaluation (好差评), State Council 2019 No. 51.</summary>
public static class Ratings
{
    /// <summary>Chinese label of a rating 1–5: 非常不满意 (1) … 非常满意 (5).</summary>
    public static string Label(int rating) => rating switch
    {
        5 => "非常满意",
        4 => "满意",
        3 => "基本满意",
        2 => "不满意",
        1 => "非常不满意",
        _ => throw new ArgumentOutOfRangeException(nameof(rating), rating, "A rating is 1 (非常不满意) to 5 (非常满意)."),
    };
}

/// <summary>Payload of an event; only the fields of its kind are set.</summary>
public sealed record CaseEventData
{
    /// <summary>An empty payload.</summary>
    public static CaseEventData None { get; } = new();

    /// <summary>Reason of a refusal, rejection, opinion, decision or withdrawal.</summary>
    public string? Reason { get; init; }

    /// <summary>Missing materials listed in one correction notice.</summary>
    public IReadOnlyList<string>? Materials { get; init; }

    /// <summary>Level routed to.</summary>
    public NodeLevel? TargetLevel { get; init; }

    /// <summary>Node routed to.</summary>
    public string? TargetNode { get; init; }

    /// <summary>Department whose opinion this is.</summary>
    public string? Department { get; init; }

    /// <summary>The opinion.</summary>
    public OpinionKind? Opinion { get; init; }

    /// <summary>Decision: true for approved, false for rejected.</summary>
    public bool? Approved { get; init; }

    /// <summary>Number of the certificate issued.</summary>
    public string? CertificateNumber { get; init; }

    /// <summary>Rating 1–5.</summary>
    public int? Rating { get; init; }

    /// <summary>Applicant's comment with the rating.</summary>
    public string? Comment { get; init; }

    /// <summary>Code of the intermediary agency (中介机构) whose job for this case is evaluated with the rating.</summary>
    public string? Agency { get; init; }

    /// <summary>Score 1–5 of the agency's job (一事一评), set together with <see cref="Agency"/>.</summary>
    public int? AgencyScore { get; init; }
}

/// <summary>One entry of a case's append-only history.</summary>
/// <param name="Id">Event id, unique across the network without coordination (node id + time-ordered GUID).</param>
/// <param name="CaseNumber">Case it belongs to.</param>
/// <param name="Kind">What happened.</param>
/// <param name="NodeId">Node where it happened.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="At">When, from the node's <see cref="TimeProvider"/>.</param>
/// <param name="Order">
/// Hybrid-logical-clock value of the writing node when the event was written. Every node has observed the
/// clocks of the events it received, so an event written after seeing another orders after it even when wall
/// clocks disagree; histories are ordered by (Order, Id) on every node.
/// </param>
/// <param name="Data">Kind-specific payload.</param>
public sealed record CaseEvent(
    string Id,
    string CaseNumber,
    CaseEventKind Kind,
    string NodeId,
    CaseActor Actor,
    DateTimeOffset At,
    long Order,
    CaseEventData Data)
{
    /// <summary>The deterministic history order: by <see cref="Order"/>, then by <see cref="Id"/> (ordinal).</summary>
    public static IComparer<CaseEvent> HistoryOrder { get; } = Comparer<CaseEvent>.Create((a, b) =>
    {
        var c = a.Order.CompareTo(b.Order);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <summary>A new event id: the node id and a time-ordered GUID, unique without asking anyone.</summary>
    public static string NewId(string nodeId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return nodeId + "." + Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
    }
}
