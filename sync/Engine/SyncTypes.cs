using System.Data.Common;

namespace ServiceHall.Sync.Engine;

/// <summary>Versions and names of the wire protocol.</summary>
public static class SyncProtocol
{
    /// <summary>Version of the sync protocol this engine speaks; a peer with another version is refused at the handshake.</summary>
    public const int Version = 2;

    /// <summary>Request header that carries the caller's node id on every sync call.</summary>
    public const string NodeHeader = "x-servicehall-node";

    /// <summary>Relation of the parent peer in <c>_sync_peers</c>.</summary>
    public const string RelationParent = "parent";

    /// <summary>Relation of a child peer in <c>_sync_peers</c>.</summary>
    public const string RelationChild = "child";

    /// <summary>Default upper bound on changes per batch.</summary>
    public const int DefaultBatchRows = 1000;

    /// <summary>Default upper bound on bytes per batch (1 MiB).</summary>
    public const int DefaultBatchBytes = 1 << 20;

    /// <summary>Hard upper bound on rows per batch a peer may ask for.</summary>
    public const int MaxBatchRows = 10_000;

    /// <summary>Hard upper bound on bytes per batch a peer may ask for (3 MiB), below gRPC's default 4 MiB message limit.</summary>
    public const int MaxBatchBytes = 3 << 20;

    /// <summary>Largest sync message a node accepts (4 MiB): a batch at <see cref="MaxBatchBytes"/> plus framing; larger ones fail with <c>RESOURCE_EXHAUSTED</c>.</summary>
    public const int MaxMessageBytes = 4 << 20;

    /// <summary>Longest row key, origin or table name accepted in a pushed change.</summary>
    public const int MaxNameLength = 256;
}

/// <summary>One row written by an applied batch.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Key">Primary key of the row.</param>
/// <param name="Deleted">True if the row was deleted (or left this node's scope).</param>
public readonly record struct AppliedChange(string Table, string Key, bool Deleted);

/// <summary>Callback invoked inside the apply transaction, before commit.</summary>
/// <param name="connection">The open connection of the apply transaction.</param>
/// <param name="transaction">The apply transaction; commands must use it.</param>
/// <param name="changes">The changes applied by this batch, in order.</param>
public delegate void SyncAppliedHandler(DbConnection connection, DbTransaction transaction, IReadOnlyList<AppliedChange> changes);

/// <summary>A registered child of this node.</summary>
/// <param name="NodeId">The child's node id (the value of its <c>x-servicehall-node</c> header).</param>
/// <param name="Level">The child's level (e.g. 2 for a township, 3 for a village; the <c>NodeLevel</c> enum value).</param>
/// <param name="Scope">The child's scope path, e.g. <c>city/t01/t01-v01</c>; it may read and write only inside it.</param>
/// <param name="Revoked">True if the node is registered but revoked: it is refused at every call.</param>
public sealed record SyncPeer(string NodeId, int Level, string Scope, bool Revoked = false);

/// <summary>The host's node registry as the engine needs it: which nodes are this node's children.</summary>
public interface ISyncPeerDirectory
{
    /// <summary>The registered child with this id, or null if the node is unknown or not a direct child of this node.</summary>
    SyncPeer? FindChild(string nodeId);

    /// <summary>The scope path of any registered node (not only a child), or null if the registry does not know it.</summary>
    string? ScopeOf(string nodeId);
}

/// <summary>Outcome of applying one batch.</summary>
/// <param name="Applied">Changes newer than the local version, written.</param>
/// <param name="Skipped">Changes not newer than the local version (duplicates, older versions), not written.</param>
/// <param name="Conflicts">Changes that met a concurrent version from another origin; each wrote a row to <c>_sync_conflicts</c>.</param>
/// <param name="Parked">Poison changes set aside in <c>_sync_parked</c> instead of applied.</param>
public readonly record struct ApplyResult(int Applied, int Skipped, int Conflicts, int Parked = 0);

/// <summary>Outcome of one sync round with the parent.</summary>
/// <param name="Pushed">Local changes sent and acknowledged by the parent.</param>
/// <param name="Pulled">Changes received from the parent and applied here.</param>
/// <param name="Skipped">Changes received that were already held (idempotent duplicates or older versions).</param>
public readonly record struct SyncRoundResult(int Pushed, int Pulled, int Skipped);

/// <summary>A received change that could not be applied (a poison change), set aside in <c>_sync_parked</c> so it blocks nothing.</summary>
/// <param name="Table">Its table.</param>
/// <param name="Key">Its row key.</param>
/// <param name="Origin">Node that wrote it.</param>
/// <param name="Via">Peer it came from.</param>
/// <param name="Reason">Why it could not be applied, from the last attempt.</param>
/// <param name="ParkedAt">First failure.</param>
/// <param name="LastAttempt">Last retry.</param>
/// <param name="Attempts">Attempts so far.</param>
public sealed record ParkedChange(string Table, string Key, string Origin, string Via, string Reason, DateTimeOffset ParkedAt, DateTimeOffset LastAttempt, int Attempts);
