using System.Runtime.CompilerServices;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// The parent side of the sync protocol. Stateless between calls: every call passes the <see cref="SyncPeerGate"/>
/// (the caller's identity as the transport proved it, the per-peer rate limit, the node registry), takes the child's
/// scope from the registry, and the cursors travel in the requests (they live in the child's store).
/// Child health is recorded in <c>_sync_peers</c>.
/// </summary>
public sealed partial class SyncService(SyncStore store, SyncPeerGate gate, ILogger<SyncService>? logger = null, IOptions<SyncOptions>? options = null) : Protos.V1.Sync.SyncBase
{
    private readonly ILogger _log = logger ?? NullLogger<SyncService>.Instance;
    private readonly ChangeReader _reader = new(store);
    private readonly ChangeApplier _applier = new(store, logger);

    /// <inheritdoc />
    public override Task<HandshakeReply> Handshake(HandshakeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var child = gate.Admit(context);
        if (!string.Equals(child.NodeId, request.NodeId, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"the caller is node '{child.NodeId}' but the handshake claims node_id '{request.NodeId}'"));
        }

        if (request.ProtocolVersion != SyncProtocol.Version)
        {
            var upgrade = request.ProtocolVersion < SyncProtocol.Version ? $"node {request.NodeId}" : $"node {store.NodeId}";
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"sync protocol mismatch: {request.NodeId} speaks version {request.ProtocolVersion}, {store.NodeId} speaks {SyncProtocol.Version}; upgrade {upgrade}"));
        }

        if (request.SchemaVersion != store.Schema.Version)
        {
            var upgrade = request.SchemaVersion < store.Schema.Version ? $"node {request.NodeId}" : $"node {store.NodeId}";
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"sync schema mismatch: {request.NodeId} has schema version {request.SchemaVersion}, {store.NodeId} has {store.Schema.Version}; upgrade {upgrade}"));
        }

        if (string.IsNullOrEmpty(store.NodeScope))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"node {store.NodeId} does not know its own scope yet (it has not synced with its parent)"));
        }

        store.RecordPeerOutcome(child.NodeId, SyncProtocol.RelationChild, child.Scope, error: null, advisory: true);
        return Task.FromResult(new HandshakeReply
        {
            NodeId = store.NodeId,
            Level = (NodeLevel)LevelOf(store),
            ProtocolVersion = SyncProtocol.Version,
            SchemaVersion = store.Schema.Version,
            ChildScope = child.Scope,
            ParentSeq = _reader.MaxSeq(),
        });
    }

    /// <inheritdoc />
    public override async Task Push(IAsyncStreamReader<ChangeBatch> requestStream, IServerStreamWriter<PushAck> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var child = gate.Admit(context);
        try
        {
            var total = 0;
            var previous = long.MinValue;
            // The next batch is received, parsed and validated while this one is applied.
            await foreach (var batch in requestStream.ReadAheadAsync(1, b => Validate(b, child), context.CancellationToken).ConfigureAwait(false))
            {
                if (batch.ThroughSeq <= previous)
                {
                    // A sender's batches advance strictly within one stream; a batch sent again on the same stream is a
                    // replay (or a broken sender). Across streams a batch sent again is normal (a lost ack) and harmless:
                    // every change in it is already held, so it is skipped.
                    throw Invalid($"batch through_seq {batch.ThroughSeq} does not advance past {previous} sent earlier on this stream (replayed or out of order)");
                }

                previous = batch.ThroughSeq;
                var result = _applier.Apply(batch, child.NodeId, child.Scope,
                    (conn, tx) => store.SetCursor(conn, tx, child.NodeId, SyncProtocol.RelationChild, push: true, batch.ThroughSeq, child.Scope));
                total += result.Applied;
                if (result.Applied > 0)
                {
                    store.OnLogAdvanced(); // watching children check whether any of it is theirs
                }

                await responseStream.WriteAsync(new PushAck
                {
                    ThroughSeq = batch.ThroughSeq,
                    Applied = result.Applied,
                    Skipped = result.Skipped,
                    Conflicts = result.Conflicts,
                }, context.CancellationToken).ConfigureAwait(false);
            }

            store.RecordPeerOutcome(child.NodeId, SyncProtocol.RelationChild, child.Scope, error: null, advisory: true);
            _log.LogInformation("Applied {Count} changes pushed by {Peer}", total, child.NodeId);
            if (total > 0)
            {
                // Store and forward without waiting for the next periodic round: a village's case reaches the city
                // one debounce after it reaches the township.
                store.OnRelayPending();
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            var invalid = Invalid($"a pushed message is not a ChangeBatch: {ex.Message}");
            Fail(child, invalid);
            throw invalid;
        }
        catch (Exception ex)
        {
            Fail(child, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task Pull(PullRequest request, IServerStreamWriter<ChangeBatch> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var child = gate.Admit(context);
        if (request.AfterSeq < 0 || request.MaxRows < 0 || request.MaxBytes < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "after_seq, max_rows and max_bytes must not be negative"));
        }

        try
        {
            var maxRows = request.MaxRows == 0 ? SyncProtocol.DefaultBatchRows : request.MaxRows;
            var maxBytes = request.MaxBytes == 0 ? SyncProtocol.DefaultBatchBytes : request.MaxBytes;
            // Stop at the high-water mark of the start, so a busy parent cannot keep a pull open forever.
            var upTo = _reader.MaxSeq();
            var cursor = request.AfterSeq;
            while (true)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var batch = _reader.ReadForChild(cursor, upTo, child.NodeId, child.Scope, maxRows, maxBytes, request.IncludeOwn);
                batch.CaughtUp = batch.ThroughSeq >= upTo;
                await responseStream.WriteAsync(batch, context.CancellationToken).ConfigureAwait(false);
                if (batch.CaughtUp)
                {
                    break;
                }

                cursor = batch.ThroughSeq;
            }

            store.SetCursor(child.NodeId, SyncProtocol.RelationChild, push: false, request.AfterSeq, child.Scope, advisory: true);
            store.RecordPeerOutcome(child.NodeId, SyncProtocol.RelationChild, child.Scope, error: null, advisory: true);
        }
        catch (Exception ex)
        {
            Fail(child, ex);
            throw;
        }
    }

    /// <summary>
    /// Checks every change of a pushed batch before anything is applied: a batch with one bad change is refused whole.
    /// </summary>
    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Validate(ChangeBatch batch, SyncPeer child)
    {
        if (batch.Changes.Count > SyncProtocol.MaxBatchRows || batch.Tables.Count > store.Schema.Tables.Count)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"batch of {batch.Changes.Count} changes in {batch.Tables.Count} tables exceeds the limit of {SyncProtocol.MaxBatchRows} changes"));
        }

        if (batch.Sender.Length > 0 && !string.Equals(batch.Sender, child.NodeId, StringComparison.Ordinal))
        {
            throw Denied($"the caller is node {child.NodeId} but the batch names sender '{Shorten(batch.Sender)}'");
        }

        var origins = new Dictionary<string, bool>(StringComparer.Ordinal);
        var columns = new Dictionary<string, TableColumns>(StringComparer.Ordinal);
        foreach (var tc in batch.Tables)
        {
            if (!store.Schema.TryGet(tc.Table, out var table))
            {
                throw Invalid($"table '{tc.Table}' is not declared in the sync schema");
            }

            if (table.Direction != SyncDirection.Both)
            {
                throw Denied($"table '{tc.Table}' is written at the root only; node {child.NodeId} may not push it");
            }

            if (tc.Columns.Count != table.Columns.Count || table.Columns.Any(c => !tc.Columns.Contains(c)) || !columns.TryAdd(tc.Table, tc))
            {
                throw Invalid($"columns of table '{tc.Table}' do not match the sync schema (or the table is listed twice)");
            }
        }

        var fields = new RowField[columns.Count == 0 ? 0 : columns.Values.Max(t => t.Columns.Count)];
        foreach (var c in batch.Changes)
        {
            if (!columns.TryGetValue(c.Table, out var tc))
            {
                throw Invalid($"change of '{c.Table}' key '{c.Key}' names a table not listed in the batch's tables");
            }

            var table = store.Schema[c.Table];
            if (string.IsNullOrEmpty(c.Key) || string.IsNullOrEmpty(c.Origin) || c.Hlc <= 0)
            {
                throw Invalid($"change of '{c.Table}' key '{Shorten(c.Key)}' lacks key, origin or hlc");
            }

            if (c.Key.Length > SyncProtocol.MaxNameLength || c.Origin.Length > SyncProtocol.MaxNameLength || c.Partition.Length > SyncProtocol.MaxNameLength)
            {
                throw Invalid($"change of '{c.Table}' key '{Shorten(c.Key)}': key, origin and partition are limited to {SyncProtocol.MaxNameLength} characters");
            }

            if (!origins.TryGetValue(c.Origin, out var inside))
            {
                // A child passes on only what was written in its own subtree: itself, or (a township) its villages.
                inside = gate.ScopeOf(c.Origin) is { } originScope && Scope.Contains(child.Scope, originScope);
                origins[c.Origin] = inside;
            }

            if (!inside)
            {
                throw Denied($"node {child.NodeId} (scope {child.Scope}) may not pass on '{c.Table}' key '{Shorten(c.Key)}' written by '{Shorten(c.Origin)}', a node outside its subtree");
            }

            int count;
            try
            {
                count = RowCodec.Decode(c.Row.Span, fields);
            }
            catch (FormatException ex)
            {
                throw Invalid($"change of '{c.Table}' key '{c.Key}': {ex.Message}");
            }

            if (c.Deleted ? count != 0 : count != tc.Columns.Count)
            {
                throw Invalid($"change of '{c.Table}' key '{c.Key}' has {count} values; {(c.Deleted ? 0 : tc.Columns.Count)} expected");
            }

            if (table.ScopeColumn is null)
            {
                if (c.Partition.Length != 0)
                {
                    throw Invalid($"change of global table '{c.Table}' key '{c.Key}' carries partition '{c.Partition}'");
                }

                continue;
            }

            if (c.Partition.Length == 0 || !Scope.Contains(child.Scope, c.Partition))
            {
                throw Denied($"node {child.NodeId} (scope {child.Scope}) may not write '{c.Table}' key '{c.Key}' in partition '{c.Partition}'");
            }

            if (!c.Deleted)
            {
                var v = fields[tc.Columns.IndexOf(table.ScopeColumn)];
                if (v.Kind != RowValueKind.Text || !v.Bytes(c.Row.Span).SequenceEqual(Encoding.UTF8.GetBytes(c.Partition)))
                {
                    throw Invalid($"change of '{c.Table}' key '{c.Key}': partition '{c.Partition}' differs from its {table.ScopeColumn} value");
                }
            }
        }

        if (batch.ThroughSeq < 0)
        {
            throw Invalid("through_seq must not be negative");
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static RpcException Denied(string message) => new(new Status(StatusCode.PermissionDenied, message));

    /// <summary>This node's level from the depth of its scope path (city = 1, township = 2, village = 3, as <see cref="NodeLevel"/> numbers them).</summary>
    private static int LevelOf(SyncStore store) => store.NodeScope is null ? 0 : store.NodeScope.Count(ch => ch == '/') + 1;

    private void Fail(SyncPeer child, Exception ex)
    {
        var message = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
        _log.LogWarning(ex, "Sync with child {Peer} failed: {Error}", child.NodeId, message);
        try
        {
            store.RecordPeerOutcome(child.NodeId, SyncProtocol.RelationChild, child.Scope, message, advisory: true);
        }
        catch (Exception inner) when (inner is System.Data.Common.DbException or ObjectDisposedException)
        {
            _log.LogWarning(inner, "Could not record the failure of {Peer}", child.NodeId);
        }
    }
}
