using System.Data;
using Microsoft.Data.SqlClient;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.SqlServer;

/// <summary>
/// SQL Server's apply path: set-based, not row at a time. The applier's decisions are collected (see
/// <see cref="CollectingApplyWriter"/>); at <see cref="CollectingApplyWriter.Flush"/> each table's winning rows are bulk-copied (SqlBulkCopy) into a
/// temp table shaped like the table and written by one MERGE, its deletes by one DELETE joined to a temp table of keys, and
/// the change log by one MERGE from a temp table of entries. Everything runs in the applier's transaction.
/// </summary>
internal sealed class SqlServerApplyWriter(SqlConnection conn, SqlTransaction tx, SyncSchema schema) : CollectingApplyWriter
{
    protected override void WriteTable(SyncTable table, IReadOnlyList<object[]> upserts, IReadOnlyList<string> deletes)
    {
        var sql = TableStatements.For(schema, table.Name);
        if (upserts.Count > 0)
        {
            var data = Data(table.Columns.Count);
            foreach (var values in upserts)
            {
                data.Rows.Add(values);
            }

            Run(sql.CreateRowsTemp, sql.RowsTemp, data, sql.MergeRows);
        }

        if (deletes.Count > 0)
        {
            var keys = Data(1);
            foreach (var key in deletes)
            {
                keys.Rows.Add(key);
            }

            Run(sql.CreateKeysTemp, sql.KeysTemp, keys, sql.DeleteByKeys);
        }
    }

    protected override void WriteLog(IReadOnlyCollection<LogEntry> entries)
    {
        var data = Data(LogStatements.Columns.Length);
        foreach (var e in entries)
        {
            data.Rows.Add(e.Table, e.Key, e.Seq, e.Hlc, e.Origin, e.Via, (object?)e.Scope ?? DBNull.Value, (object?)e.PrevScope ?? DBNull.Value,
                e.Deleted ? 1L : 0L, e.BaseHlc == 0 ? DBNull.Value : e.BaseHlc, (object?)e.BaseOrigin ?? DBNull.Value);
        }

        Run(LogStatements.CreateTemp, LogStatements.Temp, data, LogStatements.Merge);
    }

    /// <summary>A table of untyped columns: SqlBulkCopy converts each value to the type of the temp table's column.</summary>
    private static DataTable Data(int columns)
    {
        var data = new DataTable { Locale = System.Globalization.CultureInfo.InvariantCulture };
        for (var i = 0; i < columns; i++)
        {
            data.Columns.Add("c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), typeof(object));
        }

        return data;
    }

    /// <summary>
    /// Creates the temp table (created afresh each time: a savepoint rolled back after a failed change also drops a temp
    /// table created after it), bulk-copies the rows into it by column position, runs the set-based statement, which drops it.
    /// </summary>
    private void Run(string createTemp, string temp, DataTable data, string apply)
    {
        Execute(createTemp);
        using (var bulk = new SqlBulkCopy(conn, SqlBulkCopyOptions.KeepNulls, tx) { DestinationTableName = temp, BulkCopyTimeout = 0 })
        {
            bulk.WriteToServer(data);
        }

        Execute(apply);
    }

    private void Execute(string sql)
    {
        using var cmd = new SqlCommand(sql, conn, tx);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every statement this writer can send for <paramref name="schema"/>, for the T-SQL parser test.</summary>
    public static IEnumerable<StoreStatement> Statements(SyncSchema schema)
    {
        foreach (var t in schema.Tables)
        {
            var s = TableStatements.For(schema, t.Name);
            yield return new($"engine {t.Name} bulk apply: temp rows", s.CreateRowsTemp);
            yield return new($"engine {t.Name} bulk apply: merge", s.MergeRows);
            yield return new($"engine {t.Name} bulk apply: temp keys", s.CreateKeysTemp);
            yield return new($"engine {t.Name} bulk apply: delete", s.DeleteByKeys);
        }

        yield return new("engine log bulk apply: temp entries", LogStatements.CreateTemp);
        yield return new("engine log bulk apply: merge", LogStatements.Merge);
    }

    /// <summary>The temp tables and set-based statements of one synced table (named by its position in the schema).</summary>
    private sealed record TableStatements(SyncTable Table, string RowsTemp, string CreateRowsTemp, string MergeRows, string KeysTemp, string CreateKeysTemp, string DeleteByKeys)
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyncSchema, Dictionary<string, TableStatements>> Cache = [];

        public static TableStatements For(SyncSchema schema, string table) =>
            Cache.GetValue(schema, Build)[table];

        private static Dictionary<string, TableStatements> Build(SyncSchema schema)
        {
            var d = SqlServerDialect.Instance;
            var all = new Dictionary<string, TableStatements>(StringComparer.Ordinal);
            for (var i = 0; i < schema.Tables.Count; i++)
            {
                var t = schema.Tables[i];
                var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string rows = "#sh_rows_" + n, keys = "#sh_keys_" + n, key = d.Quote(t.KeyColumn), name = d.Quote(t.Name);
                all[t.Name] = new(
                    t,
                    rows,
                    CreateTemp(rows, string.Join(", ", t.Columns.Select(d.Quote)), name),
                    d.MergeFrom(t.Name, [t.KeyColumn], t.Columns, rows) + $" DROP TABLE {rows};",
                    keys,
                    CreateTemp(keys, key, name),
                    $"DELETE t FROM {name} AS t INNER JOIN {keys} AS k ON t.{key} = k.{key}; DROP TABLE {keys};");
            }

            return all;
        }
    }

    /// <summary>A temp table with the columns (types, collations, nullability) of <paramref name="source"/>, empty.</summary>
    private static string CreateTemp(string temp, string columns, string source) =>
        $"DROP TABLE IF EXISTS {temp}; SELECT TOP (0) {columns} INTO {temp} FROM {source};";

    /// <summary>The change log's temp table and MERGE: every column of an entry is the applier's (prev_scope included).</summary>
    private static class LogStatements
    {
        public const string Temp = "#sh_log";

        public static readonly string[] Columns = ["tbl", "pk", "seq", "hlc", "origin", "via", "scope", "prev_scope", "deleted", "base_hlc", "base_origin"];

        public static readonly string CreateTemp = SqlServerApplyWriter.CreateTemp(Temp, string.Join(", ", Columns), "_sync_log");

        public static readonly string Merge = SqlServerDialect.Instance.MergeFrom("_sync_log", ["tbl", "pk"], Columns, Temp) + $" DROP TABLE {Temp};";
    }
}
