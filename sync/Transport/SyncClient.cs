using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// The child side of the sync protocol: one round = handshake, push until nothing is pending
/// (the push cursor advances only after the parent's ack), then pull until caught up (the pull
/// cursor is written in the same transaction as each applied batch). Health of the parent peer
/// (last success and attempt, offline since, last error) is recorded in <c>_sync_peers</c>.
/// The first round with a parent starts with a pull that includes the node's own earlier rows (a rebuilt
/// store gets them back). Every call to the parent (handshake, push stream, pull stream) runs through a resilience
/// pipeline (<see cref="SyncResilience"/>); a retried push or pull resumes from the cursor in the store. Not safe for concurrent rounds; <see cref="SyncRunner"/> serialises them.
/// </summary>
public sealed class SyncClient
{
    private readonly SyncStore _store;
    private readonly Protos.V1.Sync.SyncClient _client;
    private readonly NodeLevel _level;
    private readonly int _batchRows;
    private readonly int _batchBytes;
    private readonly int _window;
    private readonly string _placeholderId;
    private readonly ILogger _log;
    private readonly ChangeReader _reader;
    private readonly ChangeApplier _applier;
    private readonly ResiliencePipeline _resilience;

    /// <summary>Creates a client of the parent reached through <paramref name="invoker"/>.</summary>
    /// <param name="store">This node's engine.</param>
    /// <param name="invoker">Call invoker of a channel to the parent (e.g. <c>GrpcChannel.ForAddress(url).CreateCallInvoker()</c>).</param>
    /// <param name="level">This node's level, sent in the handshake.</param>
    /// <param name="options">Batch bounds; defaults if null.</param>
    /// <param name="parentLabel">How to name the parent on record until its id is known (e.g. its URL).</param>
    /// <param name="logger">Logger; optional.</param>
    /// <param name="resilience">Timeout, retry and breaker around each call (see <see cref="SyncResilience.Create"/>); none if null.</param>
    public SyncClient(SyncStore store, CallInvoker invoker, NodeLevel level, SyncOptions? options = null, string parentLabel = "parent",
        ILogger<SyncClient>? logger = null, ResiliencePipeline? resilience = null)
    {
        _store = store;
        _client = new Protos.V1.Sync.SyncClient(invoker);
        _level = level;
        options ??= new SyncOptions();
        _batchRows = options.BatchRows;
        _batchBytes = options.BatchBytes;
        _window = Math.Max(1, options.PushWindow);
        _placeholderId = parentLabel;
        _log = logger ?? NullLogger<SyncClient>.Instance;
        _reader = new ChangeReader(store);
        _applier = new ChangeApplier(store, _log);
        _resilience = resilience ?? ResiliencePipeline.Empty;
    }

    /// <summary>Runs one full round: handshake, push, pull. Throws on failure after recording it.</summary>
    public async Task<SyncRoundResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        var parentId = _store.ReadParent()?.PeerId ?? _placeholderId;
        try
        {
            var headers = new Metadata { { SyncProtocol.NodeHeader, _store.NodeId } };
            var hello = new HandshakeRequest
            {
                NodeId = _store.NodeId,
                Level = _level,
                ProtocolVersion = SyncProtocol.Version,
                SchemaVersion = _store.Schema.Version,
            };
            var reply = await _resilience.ExecuteAsync(
                async ct => await _client.HandshakeAsync(hello, headers, cancellationToken: ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            parentId = reply.NodeId;
            _store.EnsureParent(parentId);
            _store.SetNodeScope(reply.ChildScope);
            var parent = _store.ReadParent()!;
            int pulled = 0, skipped = 0;
            if (parent.PullCursor == 0 && parent.LastSuccess is null)
            {
                // First contact with this parent (a new node, or a rebuilt store): first take back what the parent
                // holds for us, our own earlier rows included, before pushing anything, so nothing pushed now is echoed.
                (pulled, skipped) = await WithResilience(ct => PullAsync(parentId, _store.ReadParent()!.PullCursor, includeOwn: true, headers, ct), cancellationToken).ConfigureAwait(false);
            }

            // Each attempt starts from the cursor on record: what an earlier attempt got acknowledged or applied is not sent again.
            var pushed = await WithResilience(ct => PushAsync(parentId, _store.ReadParent()!.PushCursor, headers, ct), cancellationToken).ConfigureAwait(false);
            var (p, s) = await WithResilience(ct => PullAsync(parentId, _store.ReadParent()!.PullCursor, includeOwn: false, headers, ct), cancellationToken).ConfigureAwait(false);
            pulled += p;
            skipped += s;
            _store.RecordPeerOutcome(parentId, SyncProtocol.RelationParent, scope: null, error: null);
            _log.LogInformation("Sync with {Peer}: pushed {Pushed}, pulled {Pulled}", parentId, pushed, pulled);
            return new SyncRoundResult(pushed, pulled, skipped);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = SyncResilience.Describe(ex);
            _log.LogWarning("Sync with {Peer} failed: {Error}", parentId, message);
            _store.RecordPeerOutcome(parentId, SyncProtocol.RelationParent, scope: null, message);
            throw;
        }
    }

    /// <summary>
    /// Keeps the parent's notice stream (<c>Watch</c>) open from the current pull cursor and calls <paramref name="onNotice"/>
    /// for every notice, until the stream ends or fails (the caller reconnects; see <see cref="ParentWatch"/>).
    /// <paramref name="onOpened"/> is called once the parent has accepted the stream.
    /// </summary>
    public async Task WatchAsync(Action onOpened, Action onNotice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onOpened);
        ArgumentNullException.ThrowIfNull(onNotice);
        var headers = new Metadata { { SyncProtocol.NodeHeader, _store.NodeId } };
        using var call = _client.Watch(new WatchRequest { AfterSeq = _store.ReadParent()?.PullCursor ?? 0 }, headers, cancellationToken: cancellationToken);
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        onOpened();
        await foreach (var _ in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            onNotice();
        }
    }

    private ValueTask<T> WithResilience<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken);

    private async Task<int> PushAsync(string parentId, long cursor, Metadata headers, CancellationToken ct)
    {
        var first = _reader.ReadForParent(cursor, parentId, _batchRows, _batchBytes);
        if (first.ThroughSeq == cursor)
        {
            return 0; // nothing after the cursor
        }

        using var call = _client.Push(headers, cancellationToken: ct);
        using var window = new SemaphoreSlim(_window, _window);
        var inFlight = new Queue<long>();
        var gate = new Lock();
        var pushed = 0;

        // Acks arrive in order, one per batch, after the parent committed it: only then does the cursor move.
        var acks = Task.Run(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                long expected;
                lock (gate)
                {
                    expected = inFlight.Count > 0 ? inFlight.Dequeue() : -1;
                }

                if (ack.ThroughSeq != expected)
                {
                    throw new InvalidOperationException($"parent acknowledged through_seq {ack.ThroughSeq}, expected {expected}");
                }

                _store.SetCursor(parentId, SyncProtocol.RelationParent, push: true, ack.ThroughSeq);
                pushed += ack.Applied + ack.Skipped;
                window.Release();
            }
        }, ct);

        var batch = first;
        var sent = cursor;
        try
        {
            while (batch.ThroughSeq != sent)
            {
                // Wait for a free slot, but stop at once if the ack reader ended or failed.
                var slot = window.WaitAsync(ct);
                if (await Task.WhenAny(slot, acks).ConfigureAwait(false) == acks)
                {
                    break;
                }

                lock (gate)
                {
                    inFlight.Enqueue(batch.ThroughSeq);
                }

                await call.RequestStream.WriteAsync(batch, ct).ConfigureAwait(false);
                sent = batch.ThroughSeq;
                batch = _reader.ReadForParent(sent, parentId, _batchRows, _batchBytes);
            }

            if (!acks.IsCompleted)
            {
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception) when (!acks.IsCompleted)
        {
            // The request side broke: end the call so the ack reader stops too; the writer's error is the one reported.
            call.Dispose();
            try
            {
                await acks.ConfigureAwait(false);
            }
            catch (Exception inner) when (inner is RpcException or IOException or OperationCanceledException or InvalidOperationException)
            {
                _log.LogDebug("Ack reader ended after the push failed: {Error}", inner.Message);
            }

            throw;
        }

        await acks.ConfigureAwait(false); // surfaces the ack reader's failure, if any

        lock (gate)
        {
            if (inFlight.Count > 0)
            {
                throw new IOException($"push stream ended with {inFlight.Count} batches unacknowledged");
            }
        }

        return pushed;
    }

    private async Task<(int Pulled, int Skipped)> PullAsync(string parentId, long cursor, bool includeOwn, Metadata headers, CancellationToken ct)
    {
        using var call = _client.Pull(new PullRequest
        {
            AfterSeq = cursor,
            MaxRows = _batchRows,
            MaxBytes = _batchBytes,
            IncludeOwn = includeOwn,
        }, headers, cancellationToken: ct);
        int pulled = 0, skipped = 0;
        var caughtUp = false;
        // The next batch is received and parsed while this one is applied.
        await foreach (var batch in call.ResponseStream.ReadAheadAsync(1, check: null, ct).ConfigureAwait(false))
        {
            if (batch.ThroughSeq < cursor)
            {
                throw new InvalidDataException($"parent sent through_seq {batch.ThroughSeq} behind the cursor {cursor}");
            }

            var through = batch.ThroughSeq;
            var result = _applier.Apply(batch, parentId, guardScope: null,
                (conn, tx) => _store.SetCursor(conn, tx, parentId, SyncProtocol.RelationParent, push: false, through));
            cursor = through;
            if (result.Applied > 0)
            {
                _store.OnLogAdvanced(); // relay down: this node's watching children learn of it at once
            }

            pulled += result.Applied;
            skipped += result.Skipped;
            if (batch.CaughtUp)
            {
                caughtUp = true;
                break;
            }
        }

        if (!caughtUp)
        {
            throw new IOException("pull stream ended before the parent said caught_up");
        }

        return (pulled, skipped);
    }
}
