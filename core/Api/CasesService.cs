using Grpc.Core;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Api;

/// <summary>
/// The <c>servicehall.v1.Cases</c> gRPC service: signs the clerk in and checks <see cref="ClerkPermissions"/> first, then
/// maps requests onto <see cref="CaseDesk"/> (which checks the input and records the action through
/// <see cref="CaseRepository"/> against <see cref="CaseRules"/>) with the authenticated clerk as the actor, and refusals
/// onto precise status codes. A request's own <c>clerk</c> field is a claim only: empty, or equal to the signed-in clerk,
/// else PERMISSION_DENIED. Nothing of the case logic lives here.
/// </summary>
public sealed class CasesService : P.Cases.CasesBase
{
    /// <summary>Longest accepted short text (names, ids, codes).</summary>
    public const int MaxShortText = CaseDesk.MaxShortText;

    /// <summary>Longest accepted free text (reasons, comments).</summary>
    public const int MaxLongText = CaseDesk.MaxLongText;

    /// <summary>Most materials in one correction notice.</summary>
    public const int MaxMaterials = CaseDesk.MaxMaterials;

    private readonly CaseDesk _desk;
    private readonly Nodes.NodeIdentity _node;

    /// <summary>Creates the service.</summary>
    public CasesService(CaseRepository cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        _desk = new CaseDesk(cases);
        _node = cases.Node;
    }

    /// <inheritdoc />
    public override Task<P.Case> Submit(P.SubmitCaseRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() =>
        {
            var channel = request.Channel switch
            {
                P.CaseChannel.Unspecified or P.CaseChannel.Window => CaseChannel.Window,
                P.CaseChannel.Online => CaseChannel.Online,
                _ => throw new CaseActionException("channel", $"Unknown channel {request.Channel}."),
            };
            return _desk.Submit(request.Item, request.ApplicantName, request.IdNumber, request.Phone, channel, Handling(context, request.Clerk));
        });
    }

    /// <inheritdoc />
    public override Task<P.Case> Get(P.GetCaseRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = ClerkCalls.Require(context);
        return Run(() =>
        {
            var state = _desk.Get(request.Number);
            ClerkCalls.Allow(ClerkPermissions.ReadCase(clerk, state.Header.IntakeScope, state.Number));
            return state;
        });
    }

    /// <inheritdoc />
    public override Task<P.ListCasesReply> List(P.ListCasesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clerk = ClerkCalls.Require(context);
        try
        {
            // Proto and domain statuses share their numbers; an unknown one is refused by the desk.
            CaseStatus? status = request.Status == P.CaseStatus.Unspecified ? null : (CaseStatus)(int)request.Status;
            var reply = new P.ListCasesReply();
            reply.Cases.AddRange(_desk.List(status, request.Limit, clerk.Scope).Select(CaseMapping.ToProto));
            return Task.FromResult(reply);
        }
        catch (CaseActionException e)
        {
            throw ToRpc(e);
        }
    }

    /// <inheritdoc />
    public override Task<P.Case> PreReview(P.PreReviewRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.PreReview(request.Number, Handling(context, request.Clerk), request.Passed, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> Accept(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Accept(request.Number, Handling(context, request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> RequestCorrection(P.RequestCorrectionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.RequestCorrection(request.Number, Handling(context, request.Clerk), [.. request.MissingMaterials]));
    }

    /// <inheritdoc />
    public override Task<P.Case> SupplyCorrection(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.SupplyCorrection(request.Number, Handling(context, request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> Route(P.RouteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Route(request.Number, Handling(context, request.Clerk), request.TargetNode, (NodeLevel)(int)request.TargetLevel));
    }

    /// <inheritdoc />
    public override Task<P.Case> RecordOpinion(P.RecordOpinionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actor = Handling(context, request.Clerk);
        ClerkCalls.Allow(ClerkPermissions.RecordOpinion(ClerkCalls.Require(context), _node, request.Department));
        return Run(() => _desk.RecordOpinion(request.Number, actor, request.Department, (OpinionKind)(int)request.Opinion, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> Decide(P.DecideRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Decide(request.Number, Handling(context, request.Clerk), request.Approved, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> IssueCertificate(P.IssueCertificateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.IssueCertificate(request.Number, Handling(context, request.Clerk), request.CertificateNumber));
    }

    /// <inheritdoc />
    public override Task<P.Case> Deliver(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Deliver(request.Number, Handling(context, request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> Evaluate(P.EvaluateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Evaluate(request.Number, Handling(context, request.Clerk), request.Rating, request.Comment, request.Agency, request.AgencyScore));
    }

    /// <inheritdoc />
    public override Task<P.Case> Withdraw(P.WithdrawRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Withdraw(request.Number, Handling(context, request.Clerk), request.Reason));
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

    /// <summary>The signed-in clerk's actor, if it may act on cases at this node and the request claims no other clerk.</summary>
    private CaseActor Handling(ServerCallContext context, P.Clerk? claimed)
    {
        var clerk = ClerkCalls.Require(context, c => ClerkPermissions.HandleCases(c, _node));
        var otherUser = !string.IsNullOrEmpty(claimed?.UserId) && !string.Equals(claimed.UserId, clerk.Id, StringComparison.Ordinal);
        var otherDepartment = !string.IsNullOrEmpty(claimed?.Department) && !string.Equals(claimed.Department, clerk.Department, StringComparison.Ordinal);
        if (otherUser || otherDepartment)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"The request names clerk '{Shorten(claimed!.UserId)}' of '{Shorten(claimed.Department)}' but is signed in as {clerk.Id} of {clerk.Department}; leave clerk empty."));
        }

        return clerk.Actor;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

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
}
