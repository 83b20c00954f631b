using Grpc.Core;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The <c>servicehall.v1.Cases</c> gRPC service: signs the clerk in and checks <see cref="ClerkPermissions"/> first,
/// validates input, records the action through <see cref="CaseRepository"/> (which checks it against
/// <see cref="CaseRules"/>) with the authenticated clerk as the actor, and maps refusals to precise status codes.
/// A request's own <c>clerk</c> field is a claim only: empty, or equal to the authenticated clerk, else PERMISSION_DENIED.
/// </summary>
public sealed class CasesService : P.Cases.CasesBase
{
    /// <summary>Longest accepted short text (names, ids, codes).</summary>
    public const int MaxShortText = 200;

    /// <summary>Longest accepted free text (reasons, comments).</summary>
    public const int MaxLongText = 2000;

    /// <summary>Most materials in one correction notice.</summary>
    public const int MaxMaterials = 50;

    private readonly CaseRepository _cases;

    /// <summary>Creates the service.</summary>
    public CasesService(CaseRepository cases) => _cases = cases ?? throw new ArgumentNullException(nameof(cases));

    /// <inheritdoc />
    public override Task<P.Case> Submit(P.SubmitCaseRequest request, ServerCallContext context) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        Short(request.Item, "item", required: true);
        Short(request.ApplicantName, "applicant_name", required: true);
        Short(request.IdNumber, "id_number", required: true);
        Short(request.Phone, "phone", required: false);
        var channel = request.Channel switch
        {
            P.CaseChannel.Unspecified or P.CaseChannel.Window => CaseChannel.Window,
            P.CaseChannel.Online => CaseChannel.Online,
            _ => throw Invalid($"Unknown channel {request.Channel}."),
        };
        return _cases.Submit(new CaseSubmission(request.Item, request.ApplicantName, request.IdNumber, request.Phone, channel, clerk.Actor));
    });

    /// <inheritdoc />
    public override Task<P.Case> Get(P.GetCaseRequest request, ServerCallContext context) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = ClerkCalls.Require(context);
        Number(request.Number);
        var state = _cases.Get(request.Number) ?? throw new RpcException(new Status(StatusCode.NotFound, $"Case {request.Number} is not held by this node."));
        ClerkCalls.Allow(ClerkPermissions.ReadCase(clerk, state.Header.IntakeScope, state.Number));
        return state;
    });

    /// <inheritdoc />
    public override Task<P.ListCasesReply> List(P.ListCasesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = ClerkCalls.Require(context);
        if (request.Limit < 0 || request.Limit > 1000)
        {
            throw Invalid($"limit must be 0 (default 1000) to 1000; {request.Limit} was given.");
        }

        if (!Enum.IsDefined(request.Status))
        {
            throw Invalid($"Unknown status {request.Status}.");
        }

        CaseStatus? status = request.Status == P.CaseStatus.Unspecified ? null : (CaseStatus)(int)request.Status;
        var reply = new P.ListCasesReply();
        reply.Cases.AddRange(_cases.List(status, request.Limit == 0 ? 1000 : request.Limit, clerk.Scope).Select(CaseMapping.ToProto));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<P.Case> PreReview(P.PreReviewRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        var kind = request.Passed ? CaseEventKind.PreReviewPassed : CaseEventKind.PreReviewFailed;
        return Act(request.Number, clerk, kind, new CaseEventData { Reason = Long(request.Reason, "reason") });
    }

    /// <inheritdoc />
    public override Task<P.Case> Accept(P.CaseActionRequest request, ServerCallContext context) =>
        Act(request, context, CaseEventKind.Accepted);

    /// <inheritdoc />
    public override Task<P.Case> RequestCorrection(P.RequestCorrectionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        if (request.MissingMaterials.Count > MaxMaterials)
        {
            throw Invalid($"A correction notice lists at most {MaxMaterials} materials; {request.MissingMaterials.Count} were given.");
        }

        foreach (var m in request.MissingMaterials)
        {
            Short(m, "missing_materials", required: true);
        }

        return Act(request.Number, clerk, CaseEventKind.CorrectionRequested, new CaseEventData { Materials = [.. request.MissingMaterials] });
    }

    /// <inheritdoc />
    public override Task<P.Case> SupplyCorrection(P.CaseActionRequest request, ServerCallContext context) =>
        Act(request, context, CaseEventKind.CorrectionSupplied);

    /// <inheritdoc />
    public override Task<P.Case> Route(P.RouteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        Short(request.TargetNode, "target_node", required: true);
        if (request.TargetLevel is not (P.NodeLevel.City or P.NodeLevel.Township))
        {
            throw Invalid("target_level must be township or city: a case routes up.");
        }

        return Act(request.Number, clerk, CaseEventKind.Routed,
            new CaseEventData { TargetNode = request.TargetNode, TargetLevel = (NodeLevel)(int)request.TargetLevel });
    }

    /// <inheritdoc />
    public override Task<P.Case> RecordOpinion(P.RecordOpinionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        ClerkCalls.Allow(ClerkPermissions.RecordOpinion(clerk, _cases.Node, request.Department));
        Short(request.Department, "department", required: true);
        if (request.Opinion is not (P.Opinion.Approve or P.Opinion.Reject or P.Opinion.ApproveWithReferral))
        {
            throw Invalid("opinion must be approve, reject or approve-with-referral.");
        }

        return Act(request.Number, clerk, CaseEventKind.OpinionRecorded,
            new CaseEventData { Department = request.Department, Opinion = (OpinionKind)(int)request.Opinion, Reason = Long(request.Reason, "reason") });
    }

    /// <inheritdoc />
    public override Task<P.Case> Decide(P.DecideRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        return Act(request.Number, clerk, CaseEventKind.Decided, new CaseEventData { Approved = request.Approved, Reason = Long(request.Reason, "reason") });
    }

    /// <inheritdoc />
    public override Task<P.Case> IssueCertificate(P.IssueCertificateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        Short(request.CertificateNumber, "certificate_number", required: true);
        return Act(request.Number, clerk, CaseEventKind.CertificateIssued, new CaseEventData { CertificateNumber = request.CertificateNumber });
    }

    /// <inheritdoc />
    public override Task<P.Case> Deliver(P.CaseActionRequest request, ServerCallContext context) =>
        Act(request, context, CaseEventKind.Delivered);

    /// <inheritdoc />
    public override Task<P.Case> Evaluate(P.EvaluateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        if (request.Rating is < 1 or > 5)
        {
            throw Invalid($"rating is 1 (非常不满意) to 5 (非常满意); {request.Rating} was given.");
        }

        Short(request.Agency, "agency", required: false);
        var agency = string.IsNullOrWhiteSpace(request.Agency) ? null : request.Agency.Trim();
        if (agency is null && request.AgencyScore != 0)
        {
            throw Invalid("agency_score is given with the agency whose job it scores; agency is empty.");
        }

        if (agency is not null && request.AgencyScore is < 1 or > 5)
        {
            throw Invalid($"agency_score is 1 to 5 for agency {agency}; {request.AgencyScore} was given.");
        }

        return Act(request.Number, clerk, CaseEventKind.Evaluated, new CaseEventData
        {
            Rating = request.Rating,
            Comment = Long(request.Comment, "comment"),
            Agency = agency,
            AgencyScore = agency is null ? null : request.AgencyScore,
        });
    }

    /// <inheritdoc />
    public override Task<P.Case> Withdraw(P.WithdrawRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = Handling(context, request.Clerk);
        return Act(request.Number, clerk, CaseEventKind.Withdrawn, new CaseEventData { Reason = Long(request.Reason, "reason") });
    }

    /// <summary>The gRPC status for a refused case action.</summary>
    public static RpcException ToRpc(CaseActionException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var code = e.Kind switch
        {
            CaseErrorKind.InvalidArgument => StatusCode.InvalidArgument,
            CaseErrorKind.NotFound => StatusCode.NotFound,
            CaseErrorKind.PermissionDenied => StatusCode.PermissionDenied,
            _ => StatusCode.FailedPrecondition,
        };
        return new RpcException(new Status(code, e.Message));
    }

    private Task<P.Case> Act(P.CaseActionRequest request, ServerCallContext context, CaseEventKind kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Act(request.Number, Handling(context, request.Clerk), kind, CaseEventData.None);
    }

    private Task<P.Case> Act(string? number, Clerk clerk, CaseEventKind kind, CaseEventData data) => Run(() =>
    {
        Number(number);
        return _cases.Append(number!, kind, clerk.Actor, data);
    });

    /// <summary>The authenticated clerk, if it may act on cases at this node and the request claims no other clerk.</summary>
    private Clerk Handling(ServerCallContext context, P.Clerk? claimed)
    {
        var clerk = ClerkCalls.Require(context, c => ClerkPermissions.HandleCases(c, _cases.Node));
        var otherUser = !string.IsNullOrEmpty(claimed?.UserId) && !string.Equals(claimed.UserId, clerk.Id, StringComparison.Ordinal);
        var otherDepartment = !string.IsNullOrEmpty(claimed?.Department) && !string.Equals(claimed.Department, clerk.Department, StringComparison.Ordinal);
        if (otherUser || otherDepartment)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"The request names clerk '{Truncate(claimed!.UserId)}' of '{Truncate(claimed.Department)}' but is signed in as {clerk.Id} of {clerk.Department}; leave clerk empty."));
        }

        return clerk;
    }

    private static Task<P.Case> Run(Func<CaseState> action)
    {
        try
        {
            return Task.FromResult(CaseMapping.ToProto(action()));
        }
        catch (CaseActionException e)
        {
            throw ToRpc(e);
        }
    }

    private static void Number(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            throw Invalid("number is required.");
        }

        if (!CaseNumbers.TryParse(number, out _, out _, out _))
        {
            throw Invalid($"'{Truncate(number)}' is not a case number (node-yyyyMMdd-NNNN).");
        }
    }

    private static void Short(string? value, string field, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw Invalid($"{field} is required.");
        }

        if (value is { Length: > MaxShortText })
        {
            throw Invalid($"{field} is longer than {MaxShortText} characters.");
        }
    }

    private static string? Long(string? value, string field)
    {
        if (value is { Length: > MaxLongText })
        {
            throw Invalid($"{field} is longer than {MaxLongText} characters.");
        }

        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
