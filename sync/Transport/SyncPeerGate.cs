using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// Who the peer of a sync call is, as the transport proved it. The engine never takes a node id from a
/// request; it asks this. The host supplies the implementation: a certificate-based one in secured mode,
/// <see cref="HeaderClaimAuthenticator"/> only in the explicit cleartext development mode.
/// </summary>
public interface ISyncPeerAuthenticator
{
    /// <summary>The authenticated node id of the caller; throws <see cref="RpcException"/> (<c>UNAUTHENTICATED</c> or <c>PERMISSION_DENIED</c>) when there is none.</summary>
    string Authenticate(ServerCallContext context);
}

/// <summary>
/// Cleartext development mode only: takes the caller's node id from the <c>x-servicehall-node</c> header, which is a
/// claim anybody can make, not a credential. A host registers it only behind an explicit insecure option.
/// </summary>
public sealed class HeaderClaimAuthenticator : ISyncPeerAuthenticator
{
    /// <inheritdoc />
    public string Authenticate(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var node = context.RequestHeaders.GetValue(SyncProtocol.NodeHeader);
        return string.IsNullOrEmpty(node)
            ? throw new RpcException(new Status(StatusCode.Unauthenticated, $"header {SyncProtocol.NodeHeader} (the caller's node id) is required"))
            : node;
    }
}

/// <summary>
/// The checks every sync call passes before it touches the store, in this order: the transport's proof of the caller's
/// identity (<see cref="ISyncPeerAuthenticator"/>), the per-peer rate limit (<c>RESOURCE_EXHAUSTED</c>), and the node
/// registry (<c>PERMISSION_DENIED</c> for a node that is not a registered child of this node, or that is revoked).
/// Checked on every call, not once per connection, so a revocation bites at the next call.
/// </summary>
public sealed class SyncPeerGate : IDisposable
{
    private readonly ISyncPeerAuthenticator _authenticator;
    private readonly ISyncPeerDirectory _directory;
    private readonly SyncStore _store;
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the gate with the per-peer limit of <paramref name="options"/>.</summary>
    public SyncPeerGate(ISyncPeerAuthenticator authenticator, ISyncPeerDirectory directory, SyncStore store, IOptions<SyncOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _authenticator = authenticator;
        _directory = directory;
        _store = store;
        var o = options.Value;
        // A fixed window per authenticated peer: enough for the rounds a node makes, a wall against one that floods.
        _limiter = PartitionedRateLimiter.Create<string, string>(peer => RateLimitPartition.GetFixedWindowLimiter(peer, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.PeerCallLimit,
            Window = o.PeerCallWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>The registered, unrevoked child that makes this call, or an <see cref="RpcException"/> saying why not.</summary>
    public SyncPeer Admit(ServerCallContext context)
    {
        var nodeId = _authenticator.Authenticate(context);
        using (var lease = _limiter.AttemptAcquire(nodeId))
        {
            if (!lease.IsAcquired)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"node {nodeId} makes too many sync calls to {_store.NodeId}; try again later"));
            }
        }

        var child = _directory.FindChild(nodeId)
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied, $"node {nodeId} is not a registered child of {_store.NodeId}"));
        return child.Revoked
            ? throw new RpcException(new Status(StatusCode.PermissionDenied, $"node {nodeId} is revoked; {_store.NodeId} refuses it"))
            : child;
    }

    /// <summary>True if <paramref name="nodeId"/> is no longer an unrevoked registered child (checked again on a long-lived stream).</summary>
    public bool IsRevoked(string nodeId) => _directory.FindChild(nodeId) is not { Revoked: false };

    /// <summary>
    /// The scope of the node that wrote a change (its <c>origin</c>), if the registry knows it; a child may only pass
    /// on changes written inside its own subtree.
    /// </summary>
    public string? ScopeOf(string nodeId) => _directory.ScopeOf(nodeId);

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}

/// <summary>How a child reaches its parent: the HTTP handler of the channel (e.g. with the node's client certificate and the network's trust anchor).</summary>
public interface ISyncParentTransport
{
    /// <summary>A new handler for the channel to the parent; the channel owns it.</summary>
    HttpMessageHandler CreateHandler();
}
