using System.Runtime.CompilerServices;
using System.Globalization;
using Google.Protobuf;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// Applies received batches: one transaction per batch under the store's write lock, prepared commands
/// reused across the batch. Each change is compared by (hlc, origin) with the local version of the row;
/// a newer one is written (row and log entry, with a new local sequence number, the writer's origin and
/// version, and <c>via</c> = the sender); anything else is skipped, so applying a batch twice changes nothing.
/// A change that meets a concurrent version from another origin (neither is the base of the other) leaves
/// a row in <c>_sync_conflicts</c>: the higher version wins on every node, and the loss is visible.
/// A change that cannot be applied (a constraint fails, or the <see cref="SyncStore.Applied"/> hook throws for it) is a
/// poison change: the batch is applied again change by change, each in a savepoint, and the failing change is parked
/// in <c>_sync_parked</c> with its reason instead of blocking every change behind it. Parked changes are retried
/// (<see cref="RetryParked"/>) after each later batch that applies something and at each runner round; a retry that
/// applies the change, or finds it superseded by a newer version, removes it.
/// </summary>
public sealed class ChangeApplier(SyncStore store, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    /// <summary>Applies one batch atomically.</summary>
    /// <param name="batch">The batch; it must have been validated (tables declared, value counts right).</param>
    /// <param name="sender">Node id of the peer that sent it; recorded as <c>via</c> so it is not echoed back.</param>
    /// <param name="guardScope">
    /// When applying a child's push: the child's scope. A change to a row this node holds outside that scope is
    /// not applied (the child may not touch it) and is recorded as a conflict. Null to trust the sender (the parent).
    /// </param>
    /// <param name="inTransaction">Optional extra work in the same transaction (e.g. advancing a cursor).</param>
    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    public ApplyResult Apply(ChangeBatch batch, string sender, string? guardScope = null, Action<DbConnection, DbTransaction>? inTransaction = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ApplyResult result;
        try
        {
            result = ApplyCore(batch, sender, guardScope, inTransaction, isolate: false);
        }
        catch (Exception ex) when (IsPoison(store.Store, ex))
        {
            // One change (at least) cannot be applied: again change by change, so only the poison is set aside.
            _log.LogWarning("Batch from {Peer} through {ThroughSeq} failed as a whole ({Error}); applying change by change", sender, batch.ThroughSeq, ex.Message);
            return ApplyCore(batch, sender, guardScope, inTransaction, isolate: true);
        }

        // New rows may be what a parked change was missing.
        if (result.Applied > 0 && store.HasParked())
        {
            RetryParked();
        }

        return result;
    }

    /// <summary>
    /// Applies parked (poison) changes again, oldest first, each in its own transaction: the ones that now apply, or
    /// that a newer version has superseded, leave <c>_sync_parked</c>; the others stay with their new reason.
    /// Returns how many left.
    /// </summary>
    public int RetryParked(int max = 100)
    {
        var parked = new List<(string Via, string? Guard, byte[] Batch)>();
        using (var conn = store.Store.Open())
        using (var cmd = conn.Command(store.Sql.ParkedForRetry).With("@max", max))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                parked.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), (byte[])r.GetValue(2)));
            }
        }

        var resolved = 0;
        foreach (var (via, guard, blob) in parked)
        {
            var result = ApplyCore(ChangeBatch.Parser.ParseFrom(blob), via, guard, inTransaction: null, isolate: true);
            if (result.Parked == 0)
            {
                resolved++;
            }
        }

        if (resolved > 0)
        {
            _log.LogInformation("{Resolved} of {Parked} parked changes applied or superseded on retry", resolved, parked.Count);
        }

        return resolved;
    }

    /// <summary>
    /// A failure of the data, not of the store: a constraint, a type mismatch, or a domain hook that rejects the change.
    /// Busy, full or broken stores are not poison; the whole batch fails and is sent again.
    /// </summary>
    internal static bool IsPoison(StoreProvider provider, Exception ex) => ex switch
    {
        DbException => provider.IsDataError(ex),
        OperationCanceledException or OutOfMemoryException or ObjectDisposedException or IOException or InvalidDataException => false,
        _ => true,
    };

    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ApplyResult ApplyCore(ChangeBatch batch, string sender, string? guardScope, Action<DbConnection, DbTransaction>? inTransaction, bool isolate)
    {
        var columnMaps = MapColumns(batch);
        var wl = store.Store.WriteLock;
        wl.Wait();
        try
        {
            using var conn = store.Store.Open();
            using var tx = store.Store.BeginWrite(conn);
            var seq = store.MaxSeq(conn, tx);
            var held = LoadVersions(conn, tx, batch);
            using var writer = store.Parts.CreateApplyWriter(conn, tx, store.Schema, store.Sql.ApplyLog);
            using var conflict = conn.Command(store.Sql.InsertConflict, tx).WithParameters("@t", "@k", "@wh", "@wo", "@lh", "@lo", "@at", "@via");
            var applied = new List<AppliedChange>(batch.Changes.Count);
            var fields = new RowField[columnMaps.Count == 0 ? 0 : columnMaps.Values.Max(m => m.Length)];
            int skipped = 0, conflicts = 0, parked = 0;
            long maxHlc = 0;
            var now = store.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            // Writes one change (row, log entry, conflicts); false if it was skipped.
            bool Step(Change c)
            {
                maxHlc = Math.Max(maxHlc, c.Hlc);
                var versions = held[c.Table];
                var exists = versions.TryGetValue(c.Key, out var e);
                long eh = e.Hlc, ebh = e.BaseHlc;
                string eo = e.Origin ?? string.Empty, ebo = e.BaseOrigin ?? string.Empty;
                var escope = e.Scope;

                if (exists && guardScope is not null && !Scope.Contains(guardScope, escope))
                {
                    // The child names a row that lives outside its subtree here: it may not change it.
                    Conflict(conflict, c, eh, eo, c.Hlc, c.Origin, now, sender);
                    conflicts++;
                    skipped++;
                    return false;
                }

                var cmp = exists ? HybridLogicalClock.Compare(c.Hlc, c.Origin, eh, eo) : 1;

                // From the parent, a delete whose partition lies outside this node's scope means the row moved
                // out of this subtree: this node may no longer hold it, whatever local edit came after the move
                // (the parent refused that edit and recorded the conflict).
                if (cmp < 0 && guardScope is null && c.Deleted && c.Partition.Length > 0
                    && store.NodeScope is { } own && !Scope.Contains(own, c.Partition))
                {
                    if (!string.Equals(c.Origin, eo, StringComparison.Ordinal))
                    {
                        Conflict(conflict, c, c.Hlc, c.Origin, eh, eo, now, sender);
                        conflicts++;
                    }

                    cmp = 1;
                }

                if (cmp <= 0)
                {
                    skipped++;
                    // Equal: a duplicate. Older: fine if it is the version ours replaced; otherwise it was
                    // written concurrently elsewhere and lost — keep that visible.
                    if (cmp < 0 && !string.Equals(c.Origin, eo, StringComparison.Ordinal) && !(ebh == c.Hlc && string.Equals(ebo, c.Origin, StringComparison.Ordinal)))
                    {
                        Conflict(conflict, c, eh, eo, c.Hlc, c.Origin, now, sender);
                        conflicts++;
                    }

                    return false;
                }

                if (exists && HybridLogicalClock.Compare(c.Hlc, c.Origin, eh, eo) > 0 && !string.Equals(c.Origin, eo, StringComparison.Ordinal) && !(c.BaseHlc == eh && string.Equals(c.BaseOrigin, eo, StringComparison.Ordinal)))
                {
                    Conflict(conflict, c, c.Hlc, c.Origin, eh, eo, now, sender);
                    conflicts++;
                }

                var sql = store.SqlFor(c.Table);
                if (c.Deleted)
                {
                    writer.Delete(sql, c.Key);
                }
                else
                {
                    var map = columnMaps[c.Table];
                    var row = c.Row.Span;
                    if (RowCodec.Decode(row, fields) != map.Length)
                    {
                        throw new FormatException($"Change of '{c.Table}' key '{c.Key}' does not have {map.Length} values.");
                    }

                    writer.Upsert(sql, c.Key, map, fields, row);
                }

                // The previous scope as the change log's upsert keeps it: the replaced scope when the scope changes.
                var scope = c.Partition.Length == 0 ? null : c.Partition;
                var prevScope = !exists ? null : string.Equals(escope, scope, StringComparison.Ordinal) ? e.PrevScope : escope;
                writer.Log(new LogEntry(c.Table, c.Key, ++seq, c.Hlc, c.Origin, sender, scope, prevScope, c.Deleted,
                    c.BaseHlc, c.BaseOrigin.Length == 0 ? null : c.BaseOrigin));
                versions[c.Key] = new HeldVersion(c.Hlc, c.Origin, scope, prevScope, c.BaseHlc, c.BaseOrigin);
                applied.Add(new AppliedChange(c.Table, c.Key, c.Deleted));
                return true;
            }

            foreach (var c in batch.Changes)
            {
                if (!isolate)
                {
                    Step(c);
                    continue;
                }

                // Isolated: each change in a savepoint with its own hook call; a poison change is rolled back and parked.
                var before = (seq, skipped, conflicts, applied.Count, Held: held[c.Table].TryGetValue(c.Key, out var h) ? h : (HeldVersion?)null);
                tx.Save("change");
                try
                {
                    if (Step(c))
                    {
                        writer.Flush();
                        store.OnApplied(conn, tx, [applied[^1]]);
                    }

                    Unpark(conn, tx, c);
                    tx.Release("change");
                }
                catch (Exception ex) when (IsPoison(store.Store, ex))
                {
                    writer.Discard();
                    tx.Rollback("change");
                    tx.Release("change");
                    (seq, skipped, conflicts) = (before.seq, before.skipped, before.conflicts);
                    applied.RemoveRange(before.Count, applied.Count - before.Count);
                    if (before.Held is { } old)
                    {
                        held[c.Table][c.Key] = old;
                    }
                    else
                    {
                        held[c.Table].Remove(c.Key);
                    }

                    Park(conn, tx, batch, c, sender, guardScope, ex, now);
                    parked++;
                }
            }

            writer.Flush();
            inTransaction?.Invoke(conn, tx);
            if (!isolate)
            {
                store.OnApplied(conn, tx, applied);
            }

            tx.Commit();
            store.Clock.Observe(maxHlc);
            return new ApplyResult(applied.Count, skipped, conflicts, parked);
        }
        finally
        {
            wl.Release();
        }
    }

    /// <summary>Sets a poison change aside with its reason (or counts one more failed attempt), in the apply transaction.</summary>
    private void Park(DbConnection conn, DbTransaction tx, ChangeBatch batch, Change c, string sender, string? guardScope, Exception ex, string now)
    {
        // The change alone, as a batch of one, so a retry is just another apply.
        var single = new ChangeBatch { ThroughSeq = batch.ThroughSeq };
        single.Tables.AddRange(batch.Tables.Where(t => string.Equals(t.Table, c.Table, StringComparison.Ordinal)));
        single.Changes.Add(c);
        using var cmd = conn.Command(store.Sql.Park, tx)
            .With("@t", c.Table).With("@k", c.Key).With("@h", c.Hlc).With("@o", c.Origin).With("@via", sender).With("@g", guardScope)
            .With("@b", single.ToByteArray()).With("@r", ex.Message).With("@now", now);
        cmd.ExecuteNonQuery();
        _log.LogWarning("Parked change {Table}/{Key} from {Peer} (origin {Origin}): {Reason}", c.Table, c.Key, sender, c.Origin, ex.Message);
    }

    private void Unpark(DbConnection conn, DbTransaction tx, Change c)
    {
        using var cmd = conn.Command(store.Sql.Unpark, tx).With("@t", c.Table).With("@k", c.Key).With("@h", c.Hlc).With("@o", c.Origin);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The version this node holds of every row the batch names: one query per table, not one per change.</summary>
    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Dictionary<string, Dictionary<string, HeldVersion>> LoadVersions(DbConnection conn, DbTransaction tx, ChangeBatch batch)
    {
        var held = new Dictionary<string, Dictionary<string, HeldVersion>>(StringComparer.Ordinal);
        foreach (var c in batch.Changes)
        {
            if (!held.ContainsKey(c.Table))
            {
                // Sized for the batch: every applied change adds its key, and growing one entry at a time showed in profiles.
                held[c.Table] = new Dictionary<string, HeldVersion>(batch.Changes.Count, StringComparer.Ordinal);
            }
        }

        foreach (var (table, versions) in held)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(batch.Changes.Count * 24);
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var c in batch.Changes)
                {
                    if (string.Equals(c.Table, table, StringComparison.Ordinal))
                    {
                        json.WriteStringValue(c.Key);
                    }
                }

                json.WriteEndArray();
            }

            using var cmd = conn.Command(store.Sql.HeldVersions, tx).With("@t", table).With("@keys", System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                versions[r.GetString(0)] = new HeldVersion(
                    r.GetInt64(1), r.GetString(2), r.GetStringOrNull(3), r.GetStringOrNull(4),
                    r.IsDBNull(5) ? 0 : r.GetInt64(5), r.GetStringOrNull(6));
            }
        }

        return held;
    }

    /// <summary>The version of a row this node holds (from its change log).</summary>
    private readonly record struct HeldVersion(long Hlc, string? Origin, string? Scope, string? PrevScope, long BaseHlc, string? BaseOrigin);

    /// <summary>For every table of the batch: for each locally declared column, its position in the batch's values.</summary>
    private Dictionary<string, int[]> MapColumns(ChangeBatch batch)
    {
        var maps = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var tc in batch.Tables)
        {
            var table = store.Schema[tc.Table];
            var map = new int[table.Columns.Count];
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = tc.Columns.IndexOf(table.Columns[i]);
                if (map[i] < 0)
                {
                    throw new InvalidDataException($"Batch lacks column '{table.Columns[i]}' of table '{tc.Table}'.");
                }
            }

            maps[tc.Table] = map;
        }

        return maps;
    }

    private static void Conflict(DbCommand cmd, Change c, long winnerHlc, string winnerOrigin, long loserHlc, string loserOrigin, string now, string sender)
    {
        cmd.Parameters[0].Value = c.Table;
        cmd.Parameters[1].Value = c.Key;
        cmd.Parameters[2].Value = winnerHlc;
        cmd.Parameters[3].Value = winnerOrigin;
        cmd.Parameters[4].Value = loserHlc;
        cmd.Parameters[5].Value = loserOrigin;
        cmd.Parameters[6].Value = now;
        cmd.Parameters[7].Value = sender;
        cmd.ExecuteNonQuery();
    }
}
