using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using ServiceHall.Protos.V1;
using SQLitePCL;

namespace ServiceHall.Sync;

/// <summary>
/// Reads the change log (<c>_sync_log</c>) after a cursor, in sequence order, into bounded
/// <see cref="ChangeBatch"/> messages. Row values are read from the domain table in the same
/// read snapshot as the log entries, so a batch always carries the current row for the version it names.
/// <see cref="ChangeBatch.ThroughSeq"/> is the last sequence number examined: a batch whose entries
/// were all filtered out still advances the receiver's cursor.
/// </summary>
public sealed class ChangeReader(SyncStore store)
{
    /// <summary>Changes to push to the parent: tables that travel up (<see cref="SyncDirection.Both"/>) only, without what came from the parent (no echo).</summary>
    /// <param name="afterSeq">Push cursor: the highest local sequence number the parent acknowledged.</param>
    /// <param name="parentId">The parent's node id; entries it sent are not sent back. Null if not yet known.</param>
    /// <param name="maxRows">Upper bound on changes in the batch.</param>
    /// <param name="maxBytes">Upper bound on the encoded size of the changes.</param>
    public ChangeBatch ReadForParent(long afterSeq, string? parentId, int maxRows, int maxBytes) =>
        Read(afterSeq, long.MaxValue, maxRows, maxBytes, parentId, childScope: null, includeViaExcluded: false);

    /// <summary>
    /// Changes for a child of scope <paramref name="childScope"/>: rows inside its scope as upserts (or tombstones);
    /// rows that moved out of its scope (their previous scope was inside) as deletes; everything else skipped.
    /// Entries the child itself sent are not sent back (no echo), unless <paramref name="includeOwn"/>: a new or
    /// rebuilt child store then receives its own rows back (they are skipped as duplicates if it still has them).
    /// </summary>
    /// <param name="afterSeq">The child's pull cursor (a sequence number of this node's log).</param>
    /// <param name="upToSeq">Do not read past this sequence number (the high-water mark at the start of the pull).</param>
    /// <param name="childId">The child's node id.</param>
    /// <param name="childScope">The child's scope, from the node registry (never from the request).</param>
    /// <param name="maxRows">Upper bound on changes in the batch.</param>
    /// <param name="maxBytes">Upper bound on the encoded size of the changes.</param>
    /// <param name="includeOwn">Also send entries that came from this child (for a child that is rebuilding its store).</param>
    public ChangeBatch ReadForChild(long afterSeq, long upToSeq, string childId, string childScope, int maxRows, int maxBytes, bool includeOwn = false) =>
        Read(afterSeq, upToSeq, maxRows, maxBytes, childId, childScope, includeViaExcluded: includeOwn);

    /// <summary>Highest sequence number in the log (0 if empty).</summary>
    public long MaxSeq()
    {
        using var conn = store.Store.OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM _sync_log";
        return (long)cmd.ExecuteScalar()!;
    }

    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ChangeBatch Read(long afterSeq, long upToSeq, int maxRows, int maxBytes, string? excludeVia, string? childScope, bool includeViaExcluded)
    {
        maxRows = Math.Clamp(maxRows, 1, SyncProtocol.MaxBatchRows);
        maxBytes = Math.Clamp(maxBytes, 1024, SyncProtocol.MaxBatchBytes);
        var batch = new ChangeBatch { Sender = store.NodeId, ThroughSeq = afterSeq };
        using var conn = store.Store.OpenSqlite();
        // One read transaction: the log entries and the rows they name come from the same WAL snapshot.
        using var tx = conn.BeginTransaction(deferred: true);

        // Pass 1: the log entries after the cursor that pass the filter. A bounded stretch is examined per batch,
        // so a long run of filtered entries still yields a (possibly empty) batch that advances the cursor.
        var picked = new List<Change>(Math.Min(maxRows, 4096));
        var tablesWithRows = new HashSet<string>(StringComparer.Ordinal);
        var examinedThrough = afterSeq;
        // Echo suppression runs in SQL: a township's pull of a village's own pushes, or its push of what the city
        // sent, would otherwise materialise every skipped entry here.
        var viaFilter = excludeVia is not null && !includeViaExcluded;
        var strings = new Utf8StringCache();
        var excludeViaUtf8 = excludeVia is null ? null : Encoding.UTF8.GetBytes(excludeVia);
        var scan = (maxRows * 8) + 256;
        using (var log = new RawStatement(conn, $"""
            SELECT tbl, pk, seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin
            FROM _sync_log WHERE seq > @after AND seq <= @upto {(viaFilter ? "AND via IS NOT @via" : "")} ORDER BY seq LIMIT @scan
            """))
        {
            // Parameters by position, in order of first appearance: @after, @upto, [@via,] @scan.
            log.Bind(1, afterSeq);
            log.Bind(2, upToSeq);
            if (viaFilter)
            {
                log.Bind(3, excludeVia!);
            }

            log.Bind(viaFilter ? 4 : 3, (long)scan);
            var returned = 0;
            while (picked.Count < maxRows)
            {
                if (!log.Step())
                {
                    if (returned < scan)
                    {
                        // Everything up to the bound was examined (entries filtered in SQL included): the cursor may
                        // move to the bound, but never past the highest sequence number that exists in this snapshot.
                        examinedThrough = Math.Max(examinedThrough, Math.Min(upToSeq, SnapshotMaxSeq(conn, tx)));
                    }

                    break;
                }

                returned++;
                var seq = log.ColumnInt64(2);
                examinedThrough = seq;
                var tbl = strings.Get(log.ColumnBytes(0));
                if (!store.Schema.TryGet(tbl, out var table))
                {
                    continue; // a table no longer declared: nothing to send
                }

                var fromExcluded = excludeViaUtf8 is not null && log.ColumnType(5) != raw.SQLITE_NULL && log.ColumnBytes(5).SequenceEqual(excludeViaUtf8);
                var scope = log.ColumnType(6) == raw.SQLITE_NULL ? null : strings.Get(log.ColumnBytes(6));
                var deleted = log.ColumnInt64(8) != 0;
                if (childScope is null)
                {
                    if (table.Direction != SyncDirection.Both || fromExcluded)
                    {
                        continue;
                    }
                }
                else
                {
                    if (!includeViaExcluded && fromExcluded)
                    {
                        continue;
                    }

                    if (!Scope.Contains(childScope, scope))
                    {
                        var prev = log.ColumnType(7) == raw.SQLITE_NULL ? null : strings.Get(log.ColumnBytes(7));
                        if (prev is null || !Scope.Contains(childScope, prev))
                        {
                            continue;
                        }

                        deleted = true; // the row moved out of the child's subtree: it must leave that peer
                    }
                }

                picked.Add(new Change
                {
                    Table = tbl,
                    Key = Encoding.UTF8.GetString(log.ColumnBytes(1)),
                    Seq = seq,
                    Hlc = log.ColumnInt64(3),
                    Origin = strings.Get(log.ColumnBytes(4)),
                    Partition = scope ?? string.Empty,
                    Deleted = deleted,
                    BaseHlc = log.ColumnType(9) == raw.SQLITE_NULL ? 0 : log.ColumnInt64(9),
                    BaseOrigin = log.ColumnType(10) == raw.SQLITE_NULL ? string.Empty : strings.Get(log.ColumnBytes(10)),
                });
                if (!deleted)
                {
                    tablesWithRows.Add(tbl);
                }
            }
        }

        // Pass 2: the current rows, one join per table over the same stretch of the log (not one query per row).
        if (tablesWithRows.Count > 0)
        {
            var bySeq = new Dictionary<long, Change>(picked.Count);
            foreach (var c in picked)
            {
                if (!c.Deleted)
                {
                    bySeq[c.Seq] = c;
                }
            }

            // Values go from SQLite's column bytes straight into the wire form of the row (no object per value).
            var row = new RowWriter();
            foreach (var tbl in tablesWithRows)
            {
                var columns = store.Schema[tbl].Columns.Count;
                using var rows = new RawStatement(conn, store.SqlFor(tbl).SelectJoinedBySeq);
                // Parameters by position, in order of first appearance: @tbl, @after, @through.
                rows.Bind(1, tbl);
                rows.Bind(2, afterSeq);
                rows.Bind(3, examinedThrough);
                while (rows.Step())
                {
                    if (bySeq.TryGetValue(rows.ColumnInt64(0), out var change))
                    {
                        for (var i = 1; i <= columns; i++)
                        {
                            WriteValue(row, rows, i);
                        }

                        change.Row = row.ToByteString();
                    }
                }
            }
        }

        // Pass 3: bound the batch by size, in sequence order.
        var bytes = 0;
        batch.ThroughSeq = examinedThrough;
        var tablesInBatch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in picked)
        {
            if (!change.Deleted && change.Row.IsEmpty)
            {
                change.Deleted = true; // the row is gone from the table although the log says otherwise: send what it is
            }

            var size = change.CalculateSize();
            if (batch.Changes.Count > 0 && bytes + size > maxBytes)
            {
                batch.ThroughSeq = batch.Changes[^1].Seq; // the rest is sent in the next batch
                break;
            }

            batch.Changes.Add(change);
            bytes += size;
            if (tablesInBatch.Add(change.Table))
            {
                var cols = new TableColumns { Table = change.Table };
                cols.Columns.AddRange(store.Schema[change.Table].Columns);
                batch.Tables.Add(cols);
            }
        }

        tx.Commit();
        return batch;
    }

    private static long SnapshotMaxSeq(SqliteConnection conn, SqliteTransaction tx)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM _sync_log";
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Appends a 0-based column of the current row by its storage class in this row.</summary>
    private static void WriteValue(RowWriter row, RawStatement rows, int i)
    {
        switch (rows.ColumnType(i))
        {
            case raw.SQLITE_INTEGER:
                row.WriteInt(rows.ColumnInt64(i));
                break;
            case raw.SQLITE_TEXT:
                row.WriteText(rows.ColumnBytes(i));
                break;
            case raw.SQLITE_FLOAT:
                row.WriteReal(rows.ColumnDouble(i));
                break;
            case raw.SQLITE_BLOB:
                row.WriteBlob(rows.ColumnBytes(i));
                break;
            default:
                row.WriteNull();
                break;
        }
    }
}
