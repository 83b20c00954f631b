using Grpc.Core;
using Microsoft.Extensions.Logging;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// The notice stream (<c>Watch</c>): a child keeps it open, and the parent tells it, debounced, when changes the
/// child may hold were committed after what it was last told. The stream carries no data and the parent keeps
/// nothing about it beyond the open call, so a lost notice or stream costs only latency (the periodic round remains).
/// </summary>
public sealed partial class SyncService
{
    /// <inheritdoc />
    public override async Task Watch(WatchRequest request, IServerStreamWriter<ChangeNotice> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var child = gate.Admit(context);
        if (request.AfterSeq < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "after_seq must not be negative"));
        }

        // Headers now, so the child knows the stream is open (and resets its back-off) before any notice.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        var debounce = (options?.Value ?? new SyncOptions()).NoticeDebounce;
        var told = request.AfterSeq;
        var ct = context.CancellationToken;
        _log.LogDebug("Child {Peer} watches from {AfterSeq}", child.NodeId, told);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Taken before the log is read: a commit after the read completes it, so none is missed.
                var next = store.NextLogAdvance();
                var upTo = _reader.MaxSeq();
                if (upTo > told)
                {
                    if (HasChangesFor(store, child, told, upTo))
                    {
                        await responseStream.WriteAsync(new ChangeNotice { ThroughSeq = upTo }, ct).ConfigureAwait(false);
                    }

                    told = upTo;
                }

                await next.WaitAsync(ct).ConfigureAwait(false);
                if (gate.IsRevoked(child.NodeId))
                {
                    // Checked on every notice, as on every call: a revocation ends an open stream too.
                    throw new RpcException(new Status(StatusCode.PermissionDenied, $"node {child.NodeId} is revoked; {store.NodeId} refuses it"));
                }
                if (debounce > TimeSpan.Zero)
                {
                    // A burst of commits (a parallel review's opinions and decision) becomes one notice.
                    await Task.Delay(debounce, store.Time, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the child went away, or this node is shutting down: the child reconnects
        }
    }

    /// <summary>
    /// True if log entries in (<paramref name="after"/>, <paramref name="upTo"/>] would reach the child on a pull: global rows,
    /// rows inside its scope, rows that moved out of it; not the entries it sent itself. Examines only that stretch of the log.
    /// </summary>
    internal static bool HasChangesFor(SyncStore store, SyncPeer child, long after, long upTo)
    {
        using var conn = store.Store.Open();
        using var cmd = conn.Command(store.Sql.WatchScan).With("@after", after).With("@upto", upTo).With("@child", child.NodeId);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            if (!store.Schema.TryGet(r.GetString(0), out var table) || !table.Notify)
            {
                continue; // not declared, or bookkeeping that waits for the next round
            }

            var scope = r.IsDBNull(1) ? null : r.GetString(1);
            if (scope is null || Scope.Contains(child.Scope, scope) || (!r.IsDBNull(2) && Scope.Contains(child.Scope, r.GetString(2))))
            {
                return true;
            }
        }

        return false;
    }
}
