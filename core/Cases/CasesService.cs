using Grpc.Core;
using ServiceHall.Core.Catalogue;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The <c>servicehall.v1.Cases</c> gRPC service: maps requests onto <see cref="CaseDesk"/> (which checks the input and
/// records the action through <see cref="CaseRepository"/> against <see cref="CaseRules"/>), and refusals onto precise
/// status codes. Nothing of the case logic lives here.
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

    /// <summary>Creates the service.</summary>
    public CasesService(CaseRepository cases) => _desk = new CaseDesk(cases ?? throw new ArgumentNullException(nameof(cases)));

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
            return _desk.Submit(request.Item, request.ApplicantName, request.IdNumber, request.Phone, channel, Clerk(request.Clerk));
        });
    }

    /// <inheritdoc />
    public override Task<P.Case> Get(P.GetCaseRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Get(request.Number));
    }

    /// <inheritdoc />
    public override Task<P.ListCasesReply> List(P.ListCasesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            // Proto and domain statuses share their numbers; an unknown one is refused by the desk.
            CaseStatus? status = request.Status == P.CaseStatus.Unspecified ? null : (CaseStatus)(int)request.Status;
            var reply = new P.ListCasesReply();
            reply.Cases.AddRange(_desk.List(status, request.Limit).Select(CaseMapping.ToProto));
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
        return Run(() => _desk.PreReview(request.Number, Clerk(request.Clerk), request.Passed, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> Accept(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Accept(request.Number, Clerk(request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> RequestCorrection(P.RequestCorrectionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.RequestCorrection(request.Number, Clerk(request.Clerk), [.. request.MissingMaterials]));
    }

    /// <inheritdoc />
    public override Task<P.Case> SupplyCorrection(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.SupplyCorrection(request.Number, Clerk(request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> Route(P.RouteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Route(request.Number, Clerk(request.Clerk), request.TargetNode, (NodeLevel)(int)request.TargetLevel));
    }

    /// <inheritdoc />
    public override Task<P.Case> RecordOpinion(P.RecordOpinionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.RecordOpinion(request.Number, Clerk(request.Clerk), request.Department, (OpinionKind)(int)request.Opinion, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> Decide(P.DecideRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Decide(request.Number, Clerk(request.Clerk), request.Approved, request.Reason));
    }

    /// <inheritdoc />
    public override Task<P.Case> IssueCertificate(P.IssueCertificateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.IssueCertificate(request.Number, Clerk(request.Clerk), request.CertificateNumber));
    }

    /// <inheritdoc />
    public override Task<P.Case> Deliver(P.CaseActionRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Deliver(request.Number, Clerk(request.Clerk)));
    }

    /// <inheritdoc />
    public override Task<P.Case> Evaluate(P.EvaluateRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Evaluate(request.Number, Clerk(request.Clerk), request.Rating, request.Comment, request.Agency, request.AgencyScore));
    }

    /// <inheritdoc />
    public override Task<P.Case> Withdraw(P.WithdrawRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Run(() => _desk.Withdraw(request.Number, Clerk(request.Clerk), request.Reason));
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

    private static CaseActor? Clerk(P.Clerk? clerk) => clerk is null ? null : new CaseActor(clerk.UserId, clerk.Department);

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
