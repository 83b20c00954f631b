using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The clerk's desk: every case action a front end offers (the gRPC <c>Api.CasesService</c>, the web pages), with the
/// input checks they share (required fields, lengths, number format, the acting clerk). It knows no transport: a refusal is
/// a <see cref="CaseActionException"/> (with <see cref="CaseActionException.Field"/> set for a bad field), which each front
/// end shows in its own way. The case rules themselves stay in <see cref="CaseRules"/>, checked by <see cref="CaseRepository"/>.
/// </summary>
public sealed class CaseDesk
{
    /// <summary>Longest accepted short text (names, ids, codes).</summary>
    public const int MaxShortText = 200;

    /// <summary>Longest accepted free text (reasons, comments).</summary>
    public const int MaxLongText = 2000;

    /// <summary>Most materials in one correction notice.</summary>
    public const int MaxMaterials = 50;

    /// <summary>Most cases one list returns.</summary>
    public const int MaxList = 1000;

    private readonly CaseRepository _cases;

    /// <summary>Creates the desk over this node's cases.</summary>
    public CaseDesk(CaseRepository cases) => _cases = cases ?? throw new ArgumentNullException(nameof(cases));

    /// <summary>Files a new case at this node.</summary>
    public CaseState Submit(string? item, string? applicantName, string? idNumber, string? phone, CaseChannel channel, CaseActor? clerk)
    {
        Short(item, "item", required: true);
        Short(applicantName, "applicant_name", required: true);
        Short(idNumber, "id_number", required: true);
        Short(phone, "phone", required: false);
        if (!Enum.IsDefined(channel))
        {
            throw Invalid("channel", $"Unknown channel {channel}.");
        }

        return _cases.Submit(new CaseSubmission(item!, applicantName!, idNumber!, phone, channel, Actor(clerk)));
    }

    /// <summary>The case's state now, or null if this node does not hold it.</summary>
    public CaseState? Find(string? number)
    {
        Number(number);
        return _cases.Get(number!);
    }

    /// <summary>The case's state now; <see cref="CaseErrorKind.NotFound"/> if this node does not hold it.</summary>
    public CaseState Get(string? number) =>
        Find(number) ?? throw new CaseActionException(CaseErrorKind.NotFound, $"Case {number} is not held by this node.");

    /// <summary>
    /// Cases of this node, newest first, optionally of one status and only those inside scope path
    /// <paramref name="within"/> (the signed-in clerk's subtree); <paramref name="limit"/> 0 means <see cref="MaxList"/>.
    /// </summary>
    public IReadOnlyList<CaseState> List(CaseStatus? status, int limit, string? within = null)
    {
        if (limit < 0 || limit > MaxList)
        {
            throw Invalid("limit", $"limit must be 0 (default {MaxList}) to {MaxList}; {limit} was given.");
        }

        if (status is { } s && !Enum.IsDefined(s))
        {
            throw Invalid("status", $"Unknown status {s}.");
        }

        return _cases.List(status, limit == 0 ? MaxList : limit, within);
    }

    /// <summary>Online pre-review (网上预审): passed, or failed with a reason.</summary>
    public CaseState PreReview(string? number, CaseActor? clerk, bool passed, string? reason) =>
        Act(number, clerk, passed ? CaseEventKind.PreReviewPassed : CaseEventKind.PreReviewFailed, new CaseEventData { Reason = Long(reason, "reason") });

    /// <summary>Acceptance (受理).</summary>
    public CaseState Accept(string? number, CaseActor? clerk) => Act(number, clerk, CaseEventKind.Accepted, CaseEventData.None);

    /// <summary>A correction notice (补正) listing every missing material.</summary>
    public CaseState RequestCorrection(string? number, CaseActor? clerk, IReadOnlyList<string> missingMaterials)
    {
        ArgumentNullException.ThrowIfNull(missingMaterials);
        if (missingMaterials.Count > MaxMaterials)
        {
            throw Invalid("missing_materials", $"A correction notice lists at most {MaxMaterials} materials; {missingMaterials.Count} were given.");
        }

        foreach (var m in missingMaterials)
        {
            Short(m, "missing_materials", required: true);
        }

        return Act(number, clerk, CaseEventKind.CorrectionRequested, new CaseEventData { Materials = [.. missingMaterials] });
    }

    /// <summary>The missing materials were supplied.</summary>
    public CaseState SupplyCorrection(string? number, CaseActor? clerk) => Act(number, clerk, CaseEventKind.CorrectionSupplied, CaseEventData.None);

    /// <summary>Routes the case one level up to <paramref name="targetNode"/>.</summary>
    public CaseState Route(string? number, CaseActor? clerk, string? targetNode, NodeLevel targetLevel)
    {
        Short(targetNode, "target_node", required: true);
        if (targetLevel is not (NodeLevel.City or NodeLevel.Township))
        {
            throw Invalid("target_level", "target_level must be township or city: a case routes up.");
        }

        return Act(number, clerk, CaseEventKind.Routed, new CaseEventData { TargetNode = targetNode, TargetLevel = targetLevel });
    }

    /// <summary>Routes the case from its holder to the holder's parent on the case's path.</summary>
    public CaseState RouteUp(string? number, CaseActor? clerk)
    {
        var state = Get(number);
        var path = new CasePath(state.Header.IntakeScope);
        var level = path.LevelOf(state.Holder) ?? NodeLevel.City;
        var parent = level == NodeLevel.City ? null : path.NodeAt(level - 1);
        return parent is null
            ? throw new CaseActionException(CaseErrorKind.FailedPrecondition, $"Case {state.Number} is held at the city; it is not routed further.")
            : Route(number, clerk, parent, level - 1);
    }

    /// <summary>One department's opinion in a parallel review.</summary>
    public CaseState RecordOpinion(string? number, CaseActor? clerk, string? department, OpinionKind opinion, string? reason)
    {
        Short(department, "department", required: true);
        if (!Enum.IsDefined(opinion))
        {
            throw Invalid("opinion", "opinion must be approve, reject or approve-with-referral.");
        }

        return Act(number, clerk, CaseEventKind.OpinionRecorded, new CaseEventData { Department = department, Opinion = opinion, Reason = Long(reason, "reason") });
    }

    /// <summary>Decision (办结): approved or rejected.</summary>
    public CaseState Decide(string? number, CaseActor? clerk, bool approved, string? reason) =>
        Act(number, clerk, CaseEventKind.Decided, new CaseEventData { Approved = approved, Reason = Long(reason, "reason") });

    /// <summary>The certificate or licence of an approved case.</summary>
    public CaseState IssueCertificate(string? number, CaseActor? clerk, string? certificateNumber)
    {
        Short(certificateNumber, "certificate_number", required: true);
        return Act(number, clerk, CaseEventKind.CertificateIssued, new CaseEventData { CertificateNumber = certificateNumber });
    }

    /// <summary>Delivery (送达) of the result at the intake node.</summary>
    public CaseState Deliver(string? number, CaseActor? clerk) => Act(number, clerk, CaseEventKind.Delivered, CaseEventData.None);

    /// <summary>The applicant's evaluation (好差评), optionally scoring the intermediary agency of the job.</summary>
    public CaseState Evaluate(string? number, CaseActor? clerk, int rating, string? comment, string? agency, int agencyScore)
    {
        if (rating is < 1 or > 5)
        {
            throw Invalid("rating", $"rating is 1 (非常不满意) to 5 (非常满意); {rating} was given.");
        }

        Short(agency, "agency", required: false);
        var code = string.IsNullOrWhiteSpace(agency) ? null : agency.Trim();
        if (code is null && agencyScore != 0)
        {
            throw Invalid("agency_score", "agency_score is given with the agency whose job it scores; agency is empty.");
        }

        if (code is not null && agencyScore is < 1 or > 5)
        {
            throw Invalid("agency_score", $"agency_score is 1 to 5 for agency {code}; {agencyScore} was given.");
        }

        return Act(number, clerk, CaseEventKind.Evaluated, new CaseEventData
        {
            Rating = rating,
            Comment = Long(comment, "comment"),
            Agency = code,
            AgencyScore = code is null ? null : agencyScore,
        });
    }

    /// <summary>Withdrawal by the applicant before the decision.</summary>
    public CaseState Withdraw(string? number, CaseActor? clerk, string? reason) =>
        Act(number, clerk, CaseEventKind.Withdrawn, new CaseEventData { Reason = Long(reason, "reason") });

    /// <summary>
    /// The actions that this node and <paramref name="clerk"/> may take on the case now: each is checked against
    /// <see cref="CaseRules"/> with a well-formed payload, so what is offered is what the rules would allow (a front end
    /// offers only these; the rules still decide when the action is taken).
    /// </summary>
    public IReadOnlySet<CaseEventKind> AvailableActions(CaseState state, CaseActor clerk)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(clerk);
        var path = new CasePath(state.Header.IntakeScope);
        var holderLevel = path.LevelOf(state.Holder);
        var parentLevel = holderLevel is { } l && l != NodeLevel.City ? l - 1 : (NodeLevel?)null;
        var probes = new (CaseEventKind Kind, CaseEventData Data)[]
        {
            (CaseEventKind.PreReviewPassed, CaseEventData.None),
            (CaseEventKind.Accepted, CaseEventData.None),
            (CaseEventKind.CorrectionRequested, new CaseEventData { Materials = ["-"] }),
            (CaseEventKind.CorrectionSupplied, CaseEventData.None),
            (CaseEventKind.Routed, new CaseEventData { TargetNode = parentLevel is { } p ? path.NodeAt(p) : null, TargetLevel = parentLevel }),
            (CaseEventKind.OpinionRecorded, new CaseEventData { Department = clerk.Department, Opinion = OpinionKind.Reject, Reason = "-" }),
            (CaseEventKind.Decided, new CaseEventData { Approved = true, Reason = "-" }),
            (CaseEventKind.Decided, new CaseEventData { Approved = false, Reason = "-" }),
            (CaseEventKind.CertificateIssued, new CaseEventData { CertificateNumber = "-" }),
            (CaseEventKind.Delivered, CaseEventData.None),
            (CaseEventKind.Evaluated, new CaseEventData { Rating = 5 }),
            (CaseEventKind.Withdrawn, new CaseEventData { Reason = "-" }),
        };
        var allowed = new HashSet<CaseEventKind>();
        foreach (var (kind, data) in probes)
        {
            if (_cases.Check(state, kind, clerk, data).Allowed)
            {
                allowed.Add(kind);
            }
        }

        return allowed;
    }

    private CaseState Act(string? number, CaseActor? clerk, CaseEventKind kind, CaseEventData data)
    {
        Number(number);
        return _cases.Append(number!, kind, Actor(clerk), data);
    }

    private static CaseActor Actor(CaseActor? clerk)
    {
        if (clerk is null || string.IsNullOrWhiteSpace(clerk.UserId) || string.IsNullOrWhiteSpace(clerk.Department))
        {
            throw Invalid("clerk", "clerk.user_id and clerk.department are required: every action records who took it.");
        }

        Short(clerk.UserId, "clerk.user_id", required: true);
        Short(clerk.Department, "clerk.department", required: true);
        return clerk;
    }

    private static void Number(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            throw Invalid("number", "number is required.");
        }

        if (!CaseNumbers.TryParse(number, out _, out _, out _))
        {
            throw Invalid("number", $"'{Truncate(number)}' is not a case number (node-yyyyMMdd-NNNN).");
        }
    }

    private static void Short(string? value, string field, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(field, $"{field} is required.");
        }

        if (value is { Length: > MaxShortText })
        {
            throw Invalid(field, $"{field} is longer than {MaxShortText} characters.");
        }
    }

    private static string? Long(string? value, string field)
    {
        if (value is { Length: > MaxLongText })
        {
            throw Invalid(field, $"{field} is longer than {MaxLongText} characters.");
        }

        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static CaseActionException Invalid(string field, string message) => new(field, message);
}
