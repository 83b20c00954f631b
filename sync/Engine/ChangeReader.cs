using System.Runtime.CompilerServices;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

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
        using var conn = store.Store.Open();
        return store.MaxSeq(conn, null);
    }

    // Loops over a whole batch and is called once per batch: optimise at first call instead of running tier-0 code for the first dozens of batches.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ChangeBatch Read(long afterSeq, long upToSeq, int maxRows, int maxBytes, string? excludeVia, string? childScope, bool includeViaExcluded)
    {
        maxRows = Math.Clamp(maxRows, 1, SyncProtocol.MaxBatchRows);
        maxBytes = Math.Clamp(maxBytes, 1024, SyncProtocol.MaxBatchBytes);
        var batch = new ChangeBatch { Sender = store.NodeId, ThroughSeq = afterSeq };
        using var conn = store.Store.Open();
        // One read transaction: the log entries and the rows they name come from the same snapshot.
        using var tx = store.Store.BeginSnapshotRead(conn);

        // Pass 1: the log entries after the cursor that pass the filter. A bounded stretch is examined per batch,
        // so a long run of filtered entries still yields a (possibly empty) batch that advances the cursor.
        var picked = new List<Change>(Math.Min(maxRows, 4096));
        var tablesWithRows = new HashSet<string>(StringComparer.Ordinal);
        var examinedThrough = afterSeq;
        // Echo suppression runs in SQL: a township's pull of a village's own pushes, or its push of what the city
        // sent, would otherwise materialise every skipped entry here.
        var viaFilter = excludeVia is not null && !includeViaExcluded;
        var scan = (maxRows * 8) + 256;
        var exhausted = false;
        using (var log = store.Parts.ScanLog(conn, tx, viaFilter ? store.Sql.LogScanExcludingVia : store.Sql.LogScan, afterSeq, upToSeq, excludeVia, viaFilter, scan))
        {
            var returned = 0;
            while (picked.Count < maxRows)
            {
                if (!log.Step())
                {
                    exhausted = returned < scan;
                    break;
                }

                returned++;
                var seq = log.Seq;
                examinedThrough = seq;
                var tbl = log.Table;
                if (!store.Schema.TryGet(tbl, out var table))
                {
                    continue; // a table no longer declared: nothing to send
                }

                var fromExcluded = log.FromExcluded;
                var scope = log.Scope;
                var deleted = log.Deleted;
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
                        var prev = log.PrevScope;
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
                    Key = log.Key,
                    Seq = seq,
                    Hlc = log.Hlc,
                    Origin = log.Origin,
                    Partition = scope ?? string.Empty,
                    Deleted = deleted,
                    BaseHlc = log.BaseHlc,
                    BaseOrigin = log.BaseOrigin,
                });
                if (!deleted)
                {
                    tablesWithRows.Add(tbl);
                }
            }
        }

        if (exhausted)
        {
            // Everything up to the bound was examined (entries filtered in SQL included): the cursor may move to the
            // bound, but never past the highest sequence number that exists in this snapshot. Asked once the scan is
            // closed (SqlClient runs one command at a time on a connection).
            examinedThrough = Math.Max(examinedThrough, Math.Min(upToSeq, store.MaxSeq(conn, tx)));
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

            // Values go from the store's columns straight into the wire form of the row (no object per value on SQLite).
            var row = new RowWriter();
            foreach (var tbl in tablesWithRows)
            {
                var columns = store.Schema[tbl].Columns.Count;
                using var rows = store.Parts.ScanRows(conn, tx, store.SqlFor(tbl).SelectJoinedBySeq, tbl, afterSeq, examinedThrough);
                while (rows.Step())
                {
                    if (bySeq.TryGetValue(rows.Seq, out var change))
                    {
                        rows.WriteRow(row, columns);
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
}
