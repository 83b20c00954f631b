using System.Globalization;
using System.Data.Common;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>One row of <c>_sync_peers</c>: what this node knows about a parent or child.</summary>
/// <param name="PeerId">The peer's node id.</param>
/// <param name="Relation"><c>parent</c> or <c>child</c>.</param>
/// <param name="Scope">The peer's scope path, if known.</param>
/// <param name="PushCursor">Parent: highest local sequence number it acknowledged. Child: highest child sequence number applied here.</param>
/// <param name="PullCursor">Parent: highest parent sequence number applied here. Child: the cursor it last pulled from (a sequence number of this node's log).</param>
/// <param name="LastSuccess">Last successful exchange.</param>
/// <param name="LastAttempt">Last exchange, successful or not.</param>
/// <param name="OfflineSince">First failure after the last success; null while healthy.</param>
/// <param name="LastError">Message of the last failure; null after a success.</param>
public sealed record SyncPeerRecord(
    string PeerId, string Relation, string? Scope, long PushCursor, long PullCursor,
    DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, DateTimeOffset? OfflineSince, string? LastError);

public sealed partial class SyncStore
{
    /// <summary>Every peer this node has exchanged with, parent first.</summary>
    public IReadOnlyList<SyncPeerRecord> ReadPeers()
    {
        using var conn = _store.Open();
        using var cmd = conn.Command(Sql.ReadPeers);
        using var r = cmd.ExecuteReader();
        var list = new List<SyncPeerRecord>();
        while (r.Read())
        {
            list.Add(new SyncPeerRecord(
                r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.GetInt64(4),
                Time(r, 5), Time(r, 6), Time(r, 7), r.IsDBNull(8) ? null : r.GetString(8)));
        }

        return list;

        static DateTimeOffset? Time(DbDataReader r, int i) =>
            r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    /// <summary>The parent peer, if this node has one on record.</summary>
    public SyncPeerRecord? ReadParent() => ReadPeers().FirstOrDefault(p => p.Relation == SyncProtocol.RelationParent);

    /// <summary>
    /// Records the outcome of an exchange with a peer (creating its row if needed). For children (<paramref name="advisory"/>)
    /// the record is skipped if the store is busy writing for longer than a moment: serving a pull must never wait
    /// for a long local transaction, and health is advisory.
    /// </summary>
    internal void RecordPeerOutcome(string peerId, string relation, string? scope, string? error, bool advisory = false)
    {
        var now = Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        if (!_store.WriteLock.Wait(advisory ? AdvisoryWait : Timeout.InfiniteTimeSpan))
        {
            return;
        }

        try
        {
            using var conn = _store.Open();
            using var cmd = conn.Command(error is null ? Sql.PeerSucceeded : Sql.PeerFailed)
                .With("@id", peerId).With("@rel", relation).With("@scope", scope).With("@now", now);
            if (error is not null)
            {
                cmd.With("@err", error);
            }

            cmd.ExecuteNonQuery();
        }
        finally
        {
            _store.WriteLock.Release();
        }
    }

    /// <summary>
    /// Makes <paramref name="parentId"/> the parent on record. A different parent on record is replaced and its
    /// cursors dropped (they count in the old parent's log); a placeholder row that never succeeded is renamed.
    /// </summary>
    internal void EnsureParent(string parentId)
    {
        _store.WriteLock.Wait();
        try
        {
            using var conn = _store.Open();
            using var tx = _store.BeginWrite(conn);
            using var cmd = conn.Command(Sql.EnsureParent, tx).With("@id", parentId);
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
        finally
        {
            _store.WriteLock.Release();
        }
    }

    /// <summary>Sets one cursor of a peer inside an open write transaction.</summary>
    internal void SetCursor(DbConnection conn, DbTransaction tx, string peerId, string relation, bool push, long value, string? scope = null)
    {
        using var cmd = conn.Command(push ? Sql.SetPushCursor : Sql.SetPullCursor, tx)
            .With("@id", peerId).With("@rel", relation).With("@scope", scope).With("@v", value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>How long advisory bookkeeping waits for the write lock before giving up.</summary>
    private static readonly TimeSpan AdvisoryWait = TimeSpan.FromMilliseconds(200);

    /// <summary>Sets one cursor of a peer in its own transaction (skipped after a short wait if <paramref name="advisory"/>).</summary>
    internal void SetCursor(string peerId, string relation, bool push, long value, string? scope = null, bool advisory = false)
    {
        if (!_store.WriteLock.Wait(advisory ? AdvisoryWait : Timeout.InfiniteTimeSpan))
        {
            return;
        }

        try
        {
            using var conn = _store.Open();
            using var tx = _store.BeginWrite(conn);
            SetCursor(conn, tx, peerId, relation, push, value, scope);
            tx.Commit();
        }
        finally
        {
            _store.WriteLock.Release();
        }
    }
}
