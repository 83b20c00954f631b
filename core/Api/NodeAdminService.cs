using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Security;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Api;

/// <summary>
/// Operator-facing administration of this node (status, sync on demand: operators of this node; registration at the
/// city: city administrators).
/// </summary>
public sealed class NodeAdminService(
    NodeIdentity identity,
    NodeClock clock,
    StoreProvider store,
    SyncStore sync,
    CatalogueRepository catalogue,
    SyncRunner runner,
    SyncStatusReader syncStatus,
    SecurityStore security,
    NodeTls tls,
    IOptions<SyncOptions> syncOptions) : NodeAdmin.NodeAdminBase
{
    private static readonly string ProgramVersion =
        typeof(NodeAdminService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <inheritdoc />
    public override Task<NodeStatus> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        ClerkCalls.Require(context, c => ClerkPermissions.Operate(c, identity));
        var status = new NodeStatus
        {
            NodeId = identity.NodeId,
            Level = NodeLevels.ToProto(identity.Level),
            Scope = sync.NodeScope ?? "",
            StoreProvider = store.Name,
            Store = store.Location,
            StartedAt = Timestamp.FromDateTimeOffset(clock.StartedAt),
            UptimeSeconds = clock.Uptime.TotalSeconds,
            UpstreamUrl = syncOptions.Value.ParentUrl ?? "",
            Version = ProgramVersion,
            Pid = Environment.ProcessId,
            PendingUpstream = syncStatus.PendingUpstream(),
        };
        foreach (var parked in sync.ReadParked().Take(100))
        {
            status.Parked.Add(new Protos.V1.ParkedChange
            {
                Table = parked.Table,
                Key = parked.Key,
                Origin = parked.Origin,
                Via = parked.Via,
                Reason = parked.Reason,
                ParkedAt = Timestamp.FromDateTimeOffset(parked.ParkedAt),
                Attempts = parked.Attempts,
            });
        }

        foreach (var p in syncStatus.Read())
        {
            var peer = new PeerStatus
            {
                PeerId = p.PeerId,
                Relation = p.Relation,
                State = p.State,
                Scope = p.Scope ?? "",
                PushCursor = p.PushCursor,
                PullCursor = p.PullCursor,
                Pending = p.Pending,
                LastError = p.LastError ?? "",
            };
            if (p.LastSuccess is { } success)
            {
                peer.LastSuccess = Timestamp.FromDateTimeOffset(success);
            }

            if (p.LastAttempt is { } attempt)
            {
                peer.LastAttempt = Timestamp.FromDateTimeOffset(attempt);
            }

            if (p.OfflineSince is { } offline)
            {
                peer.OfflineSince = Timestamp.FromDateTimeOffset(offline);
            }

            status.Peers.Add(peer);
        }
        foreach (var (component, version) in Migrator.ReadVersions(store))
        {
            status.SchemaVersions[component] = version;
        }

        return Task.FromResult(status);
    }

    /// <inheritdoc />
    public override async Task<SyncNowReply> SyncNow(SyncNowRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ClerkCalls.Require(context, c => ClerkPermissions.Operate(c, identity));
        if (!runner.HasParent)
        {
            return new SyncNowReply { Ok = true, Error = "" };
        }

        try
        {
            var round = await runner.RunOnceAsync(context.CancellationToken);
            return new SyncNowReply { Ok = true, Pushed = round.Pushed, Pulled = round.Pulled };
        }
        catch (Exception ex) when (RoundFailure(ex) is { } message)
        {
            // The round's own outcome is the answer: the operator asked whether the link works.
            return new SyncNowReply { Ok = false, Error = $"sync with {syncOptions.Value.ParentUrl} failed: {message}" };
        }
    }

    /// <summary>
    /// What an operator reads when a sync round on demand fails at the link (the parent unreachable or refusing, the call
    /// cut or timed out, or the circuit breaker open after repeated failures); null for any other exception, which is a
    /// fault of the node itself.
    /// </summary>
    internal static string? RoundFailure(Exception ex) => ex switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        BrokenCircuitException { RetryAfter: { } after } =>
            $"the link to the parent failed repeatedly, so calls are held back (circuit open); next try in {Math.Ceiling(after.TotalSeconds):0} s",
        BrokenCircuitException => "the link to the parent failed repeatedly, so calls are held back (circuit open)",
        ExecutionRejectedException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException => ex.Message,
        _ => null,
    };

    /// <inheritdoc />
    public override Task<RegisterNodeReply> RegisterNode(RegisterNodeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClerkCalls.Require(context, c => ClerkPermissions.Administer(c, identity));
        var level = NodeLevels.FromProto(request.Level)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "level must be township or village."));
        if (identity.Level == Nodes.NodeLevel.City && CatalogueRepository.IsValidNodeId(request.Id) && security.GetRevocation(request.Id) is { } revoked)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"node {request.Id} was revoked at {revoked.RevokedAt:O} ({revoked.Reason}); a revoked id is not registered again"));
        }

        try
        {
            var name = string.IsNullOrWhiteSpace(request.Name) ? request.Id : request.Name;
            var result = catalogue.RegisterNode(request.Id, level, request.ParentId, name);
            var reply = new RegisterNodeReply { Id = result.Node.Id, Scope = result.Node.Scope, Created = result.Created };
            if (tls.Authority is { } authority)
            {
                var token = security.IssueToken(result.Node.Id, NodeCertificates.Pin(authority.Certificate));
                reply.EnrolmentToken = token.Token;
                reply.TokenExpiresAt = Timestamp.FromDateTimeOffset(token.ExpiresAt);
            }

            return Task.FromResult(reply);
        }
        catch (CatalogueException ex)
        {
            throw CatalogueService.ToRpcException(ex);
        }
    }

    /// <inheritdoc />
    public override Task<RevokeNodeReply> RevokeNode(RevokeNodeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (identity.Level != Nodes.NodeLevel.City)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"nodes are revoked at the city; this node ({identity.NodeId}) is not it"));
        }

        if (!CatalogueRepository.IsValidNodeId(request.Id) || request.Reason.Length > SecurityStore.MaxReasonLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"id must be a node id and reason at most {SecurityStore.MaxReasonLength} characters"));
        }

        if (string.Equals(request.Id, identity.NodeId, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the city cannot revoke itself"));
        }

        if (catalogue.GetNode(request.Id) is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"node {request.Id} is not registered"));
        }

        var (revocation, created) = security.Revoke(request.Id, string.IsNullOrWhiteSpace(request.Reason) ? "revoked by the operator" : request.Reason);
        return Task.FromResult(new RevokeNodeReply { Id = revocation.NodeId, RevokedAt = Timestamp.FromDateTimeOffset(revocation.RevokedAt), Created = created });
    }
}
