using System.Data.Common;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Sync.Tests;

/// <summary>
/// The engine parts SQL Server uses, where they are not SqlClient's, checked against SQLite's raw fast path on the same
/// store type: the ADO.NET log and row scans, and the set-based apply (last operation per key collected, whole log entries
/// with the previous scope the applier computed, written at flush). The same batches must leave the same rows, the same
/// change log and the same conflicts, and be read back out as the same bytes.
/// </summary>
public sealed class PortableEnginePartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);
    private const string V01 = "city/t01/t01-v01", V02 = "city/t01/t01-v02";

    [Fact]
    public async Task SetBasedApplyAndAdoScans_SameBatches_SameStoreAndSameBatchesOut()
    {
        var time = new FakeTimeProvider(T0);
        await using var township = new TestNode("t01", time);
        township.Store.SetNodeScope("city/t01");
        var reader = new ChangeReader(township.Store);
        var batches = new List<ChangeBatch>();
        long cursor = 0;
        void Step(Action write)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            write();
            // Small batches, so that the rows of one key arrive in different batches too.
            for (var b = reader.ReadForParent(cursor, "city", 2, 1 << 20); b.Changes.Count > 0; b = reader.ReadForParent(cursor, "city", 2, 1 << 20))
            {
                batches.Add(b);
                cursor = b.ThroughSeq;
            }
        }

        Step(() => { township.Write("n1", V01, "a", 1); township.Write("n2", V01, "b"); township.Write("n3", V02, null, 3); });
        var firstVersions = batches.ToList();
        Step(() => township.Write("n1", V01, "a2", 2));
        Step(() => township.Write("n2", V02, "b moved"));
        Step(() => township.Delete(TestSchema.Notes, "n3"));
        Step(() => { township.Write("n4", V01, "d"); township.Write("n2", V01, "b back"); });

        // Two versions of n1 in one batch, as a relay that read them apart may send them; and the first batches again.
        var combined = new ChangeBatch { Sender = "t01", ThroughSeq = cursor };
        combined.Tables.Add(batches[0].Tables);
        combined.Changes.Add(firstVersions.SelectMany(b => b.Changes).Where(c => c.Key == "n1"));
        combined.Changes.Add(batches.Skip(firstVersions.Count).SelectMany(b => b.Changes).Where(c => c.Key == "n1"));

        var dir = Path.Combine(Path.GetTempPath(), "servicehall-sync-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var rawStore = new SqliteStoreProvider(Path.Combine(dir, "raw.db"));
            using var portableStore = new PortableSqliteProvider(Path.Combine(dir, "portable.db"));
            var raw = City(rawStore);
            var portable = City(portableStore);
            foreach (var city in new[] { raw, portable })
            {
                var applier = new ChangeApplier(city);
                // The city edits n4 concurrently before the township's version arrives (recorded as a conflict).
                using (var w = city.BeginWrite())
                {
                    w.Upsert(TestSchema.Notes, ["n4", V01, "city edit", null]);
                    w.Commit();
                }

                foreach (var b in batches.Prepend(combined).Concat(firstVersions))
                {
                    applier.Apply(b, "t01", "city/t01");
                }
            }

            Assert.Equal(Dump(raw, "SELECT id, scope, body, n FROM notes ORDER BY id"), Dump(portable, "SELECT id, scope, body, n FROM notes ORDER BY id"));
            const string log = "SELECT tbl, pk, seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin FROM _sync_log ORDER BY seq";
            Assert.Equal(Dump(raw, log), Dump(portable, log));
            Assert.Contains(Dump(raw, log), row => row.StartsWith("notes|n2|", StringComparison.Ordinal) && row.Contains($"|{V01}|{V02}|", StringComparison.Ordinal));
            const string conflicts = "SELECT tbl, pk, winner_hlc, winner_origin, loser_hlc, loser_origin, via FROM _sync_conflicts ORDER BY id";
            Assert.NotEmpty(Dump(raw, conflicts));
            Assert.Equal(Dump(raw, conflicts), Dump(portable, conflicts));

            foreach (var (child, scope) in new[] { ("t01-v01", V01), ("t01-v02", V02) })
            {
                var fromRaw = new ChangeReader(raw).ReadForChild(0, long.MaxValue, child, scope, 100, 1 << 20);
                var fromPortable = new ChangeReader(portable).ReadForChild(0, long.MaxValue, child, scope, 100, 1 << 20);
                Assert.NotEmpty(fromRaw.Changes);
                Assert.Equal(fromRaw.ToByteArray(), fromPortable.ToByteArray());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static SyncStore City(StoreProvider provider)
    {
        Migrator.Apply(provider, SyncStore.Component, SyncStore.Migrations, TimeProvider.System);
        Migrator.Apply(provider, "test", TestSchema.Migrations, TimeProvider.System);
        var city = new SyncStore(provider, TestSchema.Create(), "city", new FakeTimeProvider(T0));
        city.SetNodeScope("city");
        return city;
    }

    private static List<string> Dump(SyncStore store, string sql)
    {
        using var conn = store.Store.Open();
        using var cmd = conn.Command(sql);
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    /// <summary>
    /// A SQLite store driven through SQL Server's engine parts, except the SqlClient calls: the ADO.NET scans, and the
    /// collecting apply writer whose flush writes each table's final rows and whole log entries by plain statements
    /// (where SQL Server bulk-copies them into temp tables and MERGEs).
    /// </summary>
    private sealed class PortableSqliteProvider(string path) : StoreProvider, IEnginePartsProvider
    {
        private readonly SqliteStoreProvider _sqlite = new(path);

        public override string Name => _sqlite.Name;

        public override string Location => _sqlite.Location;

        public override SqlDialect Dialect => _sqlite.Dialect;

        public override DbConnection Open() => _sqlite.Open();

        public override void PrepareForWrites() => _sqlite.PrepareForWrites();

        public override DbTransaction BeginWrite(DbConnection connection) => _sqlite.BeginWrite(connection);

        public override DbTransaction BeginSnapshotRead(DbConnection connection) => _sqlite.BeginSnapshotRead(connection);

        public override bool IsDataError(Exception exception) => _sqlite.IsDataError(exception);

        EngineParts IEnginePartsProvider.EngineParts { get; } = new PortableParts();

        public override void Dispose()
        {
            _sqlite.Dispose();
            base.Dispose();
        }
    }

    /// <summary>SQL Server's parts without SqlClient: the ADO.NET scans, and the statement writer below for the apply path.</summary>
    private sealed class PortableParts : EngineParts
    {
        public override LogRows ScanLog(DbConnection connection, DbTransaction transaction, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan) =>
            AdoScanLog(connection, transaction, sql, after, upto, excludeVia, viaInSql, scan);

        public override TableRows ScanRows(DbConnection connection, DbTransaction transaction, string sql, string table, long after, long through) =>
            AdoScanRows(connection, transaction, sql, table, after, through);

        public override ApplyWriter CreateApplyWriter(DbConnection connection, DbTransaction transaction, SyncSchema schema, string applyLogSql) =>
            new StatementWriter(connection, transaction, SqliteDialect.Instance);
    }

    private sealed class StatementWriter(DbConnection conn, DbTransaction tx, SqlDialect dialect) : CollectingApplyWriter
    {
        private static readonly string[] LogColumns = ["tbl", "pk", "seq", "hlc", "origin", "via", "scope", "prev_scope", "deleted", "base_hlc", "base_origin"];

        protected override void WriteTable(SyncTable table, IReadOnlyList<object[]> upserts, IReadOnlyList<string> deletes)
        {
            var sql = new SyncStore.TableSql(table, dialect);
            foreach (var values in upserts)
            {
                Execute(sql.Upsert, values);
            }

            foreach (var key in deletes)
            {
                Execute(sql.Delete, [key]);
            }
        }

        protected override void WriteLog(IReadOnlyCollection<ServiceHall.Sync.Engine.LogEntry> entries)
        {
            var upsert = dialect.Upsert("_sync_log", ["tbl", "pk"], LogColumns, SqlDialect.PositionalParameters(LogColumns.Length));
            foreach (var e in entries)
            {
                Execute(upsert, [e.Table, e.Key, e.Seq, e.Hlc, e.Origin, e.Via, e.Scope, e.PrevScope, e.Deleted ? 1L : 0L, e.BaseHlc == 0 ? null : e.BaseHlc, e.BaseOrigin]);
            }
        }

        private void Execute(string sql, object?[] values)
        {
            using var cmd = conn.Command(sql, tx);
            for (var i = 0; i < values.Length; i++)
            {
                cmd.With("@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), values[i]);
            }

            cmd.ExecuteNonQuery();
        }
    }
}
