using System.Data.Common;
using System.Globalization;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Network;

/// <summary>One node's link to its parent, as the parent last reported it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Scope">Its scope path.</param>
/// <param name="ParentId">The parent that observed it.</param>
/// <param name="State"><c>online</c>, <c>offline</c> or <c>never</c>.</param>
/// <param name="LastContact">Last successful sync the parent saw from it.</param>
/// <param name="OfflineSince">Since when it has been unreachable; null when online.</param>
/// <param name="LastError">Last error the parent saw, if any.</param>
/// <param name="ReportedAt">When the parent wrote this row.</param>
public sealed record NodeLink(string NodeId, string Scope, string ParentId, string State, DateTimeOffset? LastContact, DateTimeOffset? OfflineSince, string? LastError, DateTimeOffset ReportedAt);

/// <summary>The synced <c>node_links</c> table: declaration, reads and the parent's writes.</summary>
public sealed class NodeLinkRepository(SyncStore store, NodeIdentity identity)
{
    /// <summary>Table name.</summary>
    public const string Table = "node_links";

    /// <summary>
    /// Declaration for the sync engine: both ways (it goes up), scoped to the observed node. A parent writes these rows
    /// about its children as they sync, so they do not wake a watching child (<see cref="SyncTable.Notify"/>): they
    /// travel with the next round instead of starting one.
    /// </summary>
    public static SyncTable SyncTable { get; } = new(
        Table,
        "node_id",
        ["node_id", "scope", "parent_id", "state", "last_contact", "offline_since", "last_error", "reported_at"],
        SyncDirection.Both,
        "scope",
        Notify: false);

    /// <summary>Every link row this node holds (the city holds all), ordered by scope.</summary>
    public IReadOnlyList<NodeLink> All()
    {
        using var conn = store.Store.Open();
        using var cmd = conn.Command(NodeLinkSql.For(store.Store.Dialect).NodeLinks);
        using var r = cmd.ExecuteReader();
        var result = new List<NodeLink>();
        while (r.Read())
        {
            result.Add(new NodeLink(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                Time(r, 4), Time(r, 5), r.IsDBNull(6) ? null : r.GetString(6), Time(r, 7) ?? DateTimeOffset.MinValue));
        }

        return result;
    }

    /// <summary>
    /// Writes this node's current view of its children, one row per child whose state changed or whose last
    /// contact moved on by at least <paramref name="refreshAfter"/> since the row was written. Returns rows written.
    /// </summary>
    public int Report(IEnumerable<SyncPeerStatus> children, TimeSpan refreshAfter)
    {
        ArgumentNullException.ThrowIfNull(children);
        var held = All().Where(l => l.ParentId == identity.NodeId).ToDictionary(l => l.NodeId, StringComparer.Ordinal);
        var now = store.Time.GetUtcNow();
        var due = children
            .Where(c => c.Relation == SyncProtocol.RelationChild && !string.IsNullOrEmpty(c.Scope))
            .Where(c => !held.TryGetValue(c.PeerId, out var old)
                || old.State != c.State
                || old.LastError != c.LastError
                || (c.LastSuccess is { } s && (old.LastContact is null || s - old.LastContact.Value >= refreshAfter)))
            .ToList();
        if (due.Count == 0)
        {
            return 0;
        }

        using var tx = store.BeginWrite();
        foreach (var c in due)
        {
            tx.Upsert(Table, [c.PeerId, c.Scope, identity.NodeId, c.State, Text(c.LastSuccess), Text(c.OfflineSince), c.LastError, Text(now)]);
        }

        tx.Commit();
        return due.Count;
    }

    private static string? Text(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
