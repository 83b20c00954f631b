using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>Sync health of one peer, ready to be shown to an operator.</summary>
/// <param name="PeerId">The peer's node id.</param>
/// <param name="Relation"><c>parent</c> or <c>child</c>.</param>
/// <param name="State"><c>online</c>, <c>offline</c> or <c>never</c> (no exchange has succeeded yet).</param>
/// <param name="Scope">The peer's scope path, if known.</param>
/// <param name="LastSuccess">Last successful exchange.</param>
/// <param name="LastAttempt">Last exchange attempted.</param>
/// <param name="OfflineSince">First failure after the last success; null when online.</param>
/// <param name="PushCursor">Parent: highest local sequence number it acknowledged. Child: highest child sequence applied here.</param>
/// <param name="PullCursor">Parent: highest parent sequence number applied here. Child: the cursor it last pulled from.</param>
/// <param name="Pending">Parent: local changes not yet acknowledged (the outbox). Child: changes in this node's log after its pull cursor that it may hold.</param>
/// <param name="LastError">Last error, null after a success.</param>
public sealed record SyncPeerStatus(
    string PeerId, string Relation, string State, string? Scope, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt,
    DateTimeOffset? OfflineSince, long PushCursor, long PullCursor, long Pending, string? LastError);

/// <summary>Reads the sync health of every peer from <c>_sync_peers</c> and the change log.</summary>
/// <param name="store">This node's engine.</param>
/// <param name="hasParent">False at the root: nothing is ever pending upstream there.</param>
/// <param name="staleAfter">A child not heard from for longer than this counts as offline. Default: 3 × 30 s sync interval.</param>
public sealed class SyncStatusReader(SyncStore store, bool hasParent = true, TimeSpan? staleAfter = null)
{
    private readonly TimeSpan _staleAfter = staleAfter ?? TimeSpan.FromSeconds(90);

    /// <summary>Every peer, parent first.</summary>
    public IReadOnlyList<SyncPeerStatus> Read()
    {
        var now = store.Time.GetUtcNow();
        var result = new List<SyncPeerStatus>();
        foreach (var p in store.ReadPeers())
        {
            var isParent = p.Relation == SyncProtocol.RelationParent;
            string state;
            if (p.LastSuccess is null)
            {
                state = "never";
            }
            else if (p.OfflineSince is not null || (!isParent && now - p.LastSuccess > _staleAfter))
            {
                state = "offline";
            }
            else
            {
                state = "online";
            }

            var offlineSince = state == "offline" ? p.OfflineSince ?? p.LastSuccess : p.OfflineSince;
            var pending = isParent ? PendingUpstream(p.PeerId, p.PushCursor) : PendingForChild(p);
            result.Add(new SyncPeerStatus(p.PeerId, p.Relation, state, p.Scope, p.LastSuccess, p.LastAttempt, offlineSince,
                p.PushCursor, p.PullCursor, pending, p.LastError));
        }

        return result;
    }

    /// <summary>Local changes not yet acknowledged by the parent, by the push filter (tables that travel up, not from the parent).</summary>
    public long PendingUpstream()
    {
        if (!hasParent)
        {
            return 0;
        }

        var parent = store.ReadParent();
        return PendingUpstream(parent?.PeerId, parent?.PushCursor ?? 0);
    }

    private long PendingUpstream(string? parentId, long cursor)
    {
        var up = store.Sql.UpTables;
        if (up.Count == 0)
        {
            return 0;
        }

        using var conn = store.Store.Open();
        using var cmd = conn.Command(store.Sql.PendingUpstream).With("@c", cursor).With("@p", parentId);
        for (var i = 0; i < up.Count; i++)
        {
            cmd.With("@t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), up[i]);
        }

        return cmd.ScalarInt64();
    }

    private long PendingForChild(SyncPeerRecord child)
    {
        if (child.Scope is null)
        {
            return 0;
        }

        // Rows inside the child's scope (or global) after its cursor, not sent by it; moves out of its scope are not counted.
        using var conn = store.Store.Open();
        using var cmd = conn.Command(store.Sql.PendingForChild)
            .With("@c", child.PullCursor).With("@id", child.PeerId).With("@s", child.Scope)
            .With("@under", child.Scope + "/").With("@past", child.Scope + "0");
        return cmd.ScalarInt64();
    }

}
