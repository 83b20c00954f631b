using Google.Protobuf;
using Microsoft.Data.Sqlite;
using ServiceHall.Protos.V1;

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

    private ChangeBatch Read(long afterSeq, long upToSeq, int maxRows, int maxBytes, string? excludeVia, string? childScope, bool includeViaExcluded)
    {
        maxRows = Math.Clamp(maxRows, 1, SyncProtocol.MaxBatchRows);
        maxBytes = Math.Clamp(maxBytes, 1024, SyncProtocol.MaxBatchBytes);
        var batch = new ChangeBatch { Sender = store.NodeId, ThroughSeq = afterSeq };
        using var conn = store.Store.OpenSqlite();
        // One read transaction: the log entries and the rows they name come from the same WAL snapshot.
        using var tx = conn.BeginTransaction(deferred: true);
        using var log = conn.CreateCommand();
        log.Transaction = tx;
        // Examine a bounded stretch of the log per batch, so a long run of filtered entries still yields a batch promptly.
        log.CommandText = """
            SELECT tbl, pk, seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin
            FROM _sync_log WHERE seq > @after AND seq <= @upto ORDER BY seq LIMIT @scan
            """;
        log.Parameters.AddWithValue("@after", afterSeq);
        log.Parameters.AddWithValue("@upto", upToSeq);
        log.Parameters.AddWithValue("@scan", (maxRows * 8) + 256);
        var selects = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        var tablesInBatch = new HashSet<string>(StringComparer.Ordinal);
        var bytes = 0;
        try
        {
            using var r = log.ExecuteReader();
            while (r.Read())
            {
                var seq = r.GetInt64(2);
                var tbl = r.GetString(0);
                if (!store.Schema.TryGet(tbl, out var table))
                {
                    batch.ThroughSeq = seq; // a table no longer declared: nothing to send
                    continue;
                }

                var via = r.IsDBNull(5) ? null : r.GetString(5);
                var scope = r.IsDBNull(6) ? null : r.GetString(6);
                var deleted = r.GetInt64(8) != 0;
                if (childScope is null)
                {
                    if (table.Direction != SyncDirection.Both || (excludeVia is not null && string.Equals(via, excludeVia, StringComparison.Ordinal)))
                    {
                        batch.ThroughSeq = seq;
                        continue;
                    }
                }
                else
                {
                    if (!includeViaExcluded && string.Equals(via, excludeVia, StringComparison.Ordinal))
                    {
                        batch.ThroughSeq = seq;
                        continue;
                    }

                    if (!Scope.Contains(childScope, scope))
                    {
                        var prev = r.IsDBNull(7) ? null : r.GetString(7);
                        if (prev is null || !Scope.Contains(childScope, prev))
                        {
                            batch.ThroughSeq = seq;
                            continue;
                        }

                        deleted = true; // the row moved out of the child's subtree: it must leave that peer
                    }
                }

                var change = new Change
                {
                    Table = tbl,
                    Key = r.GetString(1),
                    Seq = seq,
                    Hlc = r.GetInt64(3),
                    Origin = r.GetString(4),
                    Partition = scope ?? string.Empty,
                    BaseHlc = r.IsDBNull(9) ? 0 : r.GetInt64(9),
                    BaseOrigin = r.IsDBNull(10) ? string.Empty : r.GetString(10),
                };
                if (!deleted && !ReadRow(conn, tx, selects, table, change))
                {
                    deleted = true; // the row is gone from the table although the log says otherwise: send what it is
                }

                change.Deleted = deleted;
                var size = change.CalculateSize();
                if (batch.Changes.Count > 0 && bytes + size > maxBytes)
                {
                    break; // not examined: through_seq stays at the previous entry
                }

                batch.Changes.Add(change);
                bytes += size;
                batch.ThroughSeq = seq;
                if (tablesInBatch.Add(tbl))
                {
                    var cols = new TableColumns { Table = tbl };
                    cols.Columns.AddRange(table.Columns);
                    batch.Tables.Add(cols);
                }

                if (batch.Changes.Count >= maxRows || bytes >= maxBytes)
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var c in selects.Values)
            {
                c.Dispose();
            }
        }

        tx.Commit();
        return batch;
    }

    private bool ReadRow(SqliteConnection conn, SqliteTransaction tx, Dictionary<string, SqliteCommand> selects, SyncTable table, Change change)
    {
        if (!selects.TryGetValue(table.Name, out var cmd))
        {
            cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = store.SqlFor(table.Name).SelectByKey;
            cmd.Parameters.Add(new SqliteParameter("@p0", null));
            cmd.Prepare();
            selects[table.Name] = cmd;
        }

        cmd.Parameters[0].Value = change.Key;
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return false;
        }

        for (var i = 0; i < table.Columns.Count; i++)
        {
            change.Values.Add(ToValue(r, i));
        }

        return true;
    }

    internal static Value ToValue(SqliteDataReader r, int i)
    {
        if (r.IsDBNull(i))
        {
            return new Value();
        }

        return r.GetValue(i) switch
        {
            long l => new Value { Int = l },
            double d => new Value { Real = d },
            string s => new Value { Text = s },
            byte[] b => new Value { Blob = ByteString.CopyFrom(b) },
            var other => new Value { Text = Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty },
        };
    }
}
