using System.Globalization;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// The engine's view of one node's store: the declared tables, the change log
/// (<c>_sync_log</c>, one tracking row per table row, ordered by a per-node sequence),
/// the hybrid logical clock, per-peer cursors and the node's scope.
/// Every write made through <see cref="BeginWrite"/> is captured in the same transaction
/// as the row itself, so a change can never commit without its log entry, nor the reverse.
/// </summary>
public sealed partial class SyncStore
{
    /// <summary>Store component name of the engine's own tables in <c>_schema_versions</c>.</summary>
    public const string Component = "sync";

    /// <summary>The engine's own tables. Domain tables are created by the domain's migrations.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "change log, meta, peers, conflicts", """
            CREATE TABLE _sync_log (
                tbl        TEXT    NOT NULL,
                pk         TEXT    NOT NULL,
                seq        INTEGER NOT NULL,
                hlc        INTEGER NOT NULL,
                origin     TEXT    NOT NULL,
                via        TEXT    NULL,
                scope      TEXT    NULL,
                prev_scope TEXT    NULL,
                deleted    INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (tbl, pk)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX ix_sync_log_seq ON _sync_log (seq);
            CREATE TABLE _sync_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE _sync_peers (
                peer_id       TEXT    NOT NULL PRIMARY KEY,
                relation      TEXT    NOT NULL,
                scope         TEXT    NULL,
                push_cursor   INTEGER NOT NULL DEFAULT 0,
                pull_cursor   INTEGER NOT NULL DEFAULT 0,
                last_success  TEXT    NULL,
                last_attempt  TEXT    NULL,
                offline_since TEXT    NULL,
                last_error    TEXT    NULL
            );
            CREATE TABLE _sync_conflicts (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                tbl           TEXT    NOT NULL,
                pk            TEXT    NOT NULL,
                winner_hlc    INTEGER NOT NULL,
                winner_origin TEXT    NOT NULL,
                loser_hlc     INTEGER NOT NULL,
                loser_origin  TEXT    NOT NULL,
                detected_at   TEXT    NOT NULL,
                via           TEXT    NULL
            );
            """),
        new(2, "base version of each change (conflict detection)", """
            ALTER TABLE _sync_log ADD COLUMN base_hlc INTEGER NULL;
            ALTER TABLE _sync_log ADD COLUMN base_origin TEXT NULL;
            CREATE INDEX ix_sync_conflicts_row ON _sync_conflicts (tbl, pk);
            """),
        new(3, "parked (poison) changes", """
            CREATE TABLE _sync_parked (
                tbl          TEXT    NOT NULL,
                pk           TEXT    NOT NULL,
                hlc          INTEGER NOT NULL,
                origin       TEXT    NOT NULL,
                via          TEXT    NOT NULL,
                guard_scope  TEXT    NULL,
                batch        BLOB    NOT NULL,
                reason       TEXT    NOT NULL,
                parked_at    TEXT    NOT NULL,
                last_attempt TEXT    NOT NULL,
                attempts     INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (tbl, pk, hlc, origin)
            ) WITHOUT ROWID;
            """),
    ];

    /// <summary>The engine's tables for every store provider (SQLite above, T-SQL in <see cref="SqlServerSyncMigrations"/>).</summary>
    public static MigrationSet MigrationSet { get; } = new(Component, new Dictionary<string, IReadOnlyList<Migration>>
    {
        [StoreProviders.Sqlite] = Migrations,
        [StoreProviders.SqlServer] = SqlServerSyncMigrations.All,
    });

    private readonly StoreProvider _store;
    private readonly Dictionary<string, TableSql> _sql;

    /// <summary>Creates the engine over a store (of any provider) whose engine and domain migrations have been applied.</summary>
    public SyncStore(StoreProvider store, SyncSchema schema, string nodeId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(schema);
        _store = store;
        Schema = schema;
        NodeId = nodeId;
        Time = time;
        Clock = new HybridLogicalClock(time);
        _sql = schema.Tables.ToDictionary(t => t.Name, t => new TableSql(t, store.Dialect), StringComparer.Ordinal);
        Sql = new EngineSql(store.Dialect, schema);
        Parts = EngineParts.For(store);

        using var conn = store.Open();
        using (var cmd = conn.Command(Sql.MaxHlc))
        {
            Clock.Observe(cmd.ScalarInt64());
        }

        using (var cmd = conn.Command(Sql.ReadScope))
        {
            NodeScope = cmd.ExecuteScalar() as string;
        }
    }

    /// <summary>The engine's statements in the store's dialect.</summary>
    internal EngineSql Sql { get; }

    /// <summary>How the reader scans and the applier writes this store (see <see cref="EngineParts.For"/>).</summary>
    internal EngineParts Parts { get; }

    /// <summary>This node's id; it is the origin of every local write.</summary>
    public string NodeId { get; }

    /// <summary>The declared tables.</summary>
    public SyncSchema Schema { get; }

    /// <summary>The clock every version comes from.</summary>
    public HybridLogicalClock Clock { get; }

    /// <summary>The injected time source.</summary>
    public TimeProvider Time { get; }

    /// <summary>The underlying store.</summary>
    public StoreProvider Store => _store;

    /// <summary>
    /// This node's scope path (e.g. <c>city/t01/t01-v01</c>): set at the root by configuration and at
    /// other nodes by the parent at the first handshake, then kept in the store. Null until known.
    /// </summary>
    public string? NodeScope { get; private set; }

    /// <summary>
    /// Raised after a transaction commits changes that should travel upstream: a local write, or changes a
    /// child pushed that this node relays (used to trigger a debounced sync round with the parent).
    /// </summary>
    public event Action? LocalChangeCommitted;

    /// <summary>Signals that changes received from a child were committed and wait to be relayed to the parent.</summary>
    internal void OnRelayPending() => LocalChangeCommitted?.Invoke();

    private TaskCompletionSource _logAdvanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// A task that completes at the next commit that adds entries to the change log (a local write, or a batch applied
    /// from a child or from the parent). Take it BEFORE reading the log, so that no commit falls between the read and the wait.
    /// </summary>
    internal Task NextLogAdvance() => Volatile.Read(ref _logAdvanced).Task;

    /// <summary>Signals that entries were committed to the change log (wakes <see cref="NextLogAdvance"/> waiters, e.g. watching children).</summary>
    internal void OnLogAdvanced() =>
        Interlocked.Exchange(ref _logAdvanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Raised INSIDE the transaction that applies a received batch, after its rows were written and
    /// before it commits, with the changes that were applied (skipped ones are not listed). The domain
    /// uses it to maintain derived tables atomically with the synced rows. If a handler throws a store
    /// failure (<see cref="IOException"/>, cancellation), the whole batch rolls back and the sender retries it
    /// later; any other exception marks a poison change: the batch is re-applied change by change (the handler
    /// then sees one change per call) and the rejected change is parked (see <see cref="ChangeApplier"/>).
    /// </summary>
    public event SyncAppliedHandler? Applied;

    internal void OnApplied(DbConnection conn, DbTransaction tx, IReadOnlyList<AppliedChange> changes)
    {
        if (changes.Count > 0)
        {
            Applied?.Invoke(conn, tx, changes);
        }
    }

    /// <summary>True if any received change is parked as poison (<c>_sync_parked</c>).</summary>
    public bool HasParked()
    {
        using var conn = _store.Open();
        using var cmd = conn.Command(Sql.HasParked);
        return cmd.ScalarInt64() != 0;
    }

    /// <summary>Received changes set aside as poison, oldest first: what they are, where from, why, and how often tried.</summary>
    public IReadOnlyList<ParkedChange> ReadParked()
    {
        using var conn = _store.Open();
        using var cmd = conn.Command(Sql.ReadParked);
        using var r = cmd.ExecuteReader();
        var list = new List<ParkedChange>();
        while (r.Read())
        {
            list.Add(new ParkedChange(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture), DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture), r.GetInt32Any(7)));
        }

        return list;
    }

    /// <summary>Retries the parked (poison) changes; returns how many were applied or found superseded.</summary>
    public int RetryParked(ILogger? logger = null) => HasParked() ? new ChangeApplier(this, logger).RetryParked() : 0;

    /// <summary>Persists this node's scope path.</summary>
    public void SetNodeScope(string scope)
    {
        if (string.Equals(scope, NodeScope, StringComparison.Ordinal))
        {
            return;
        }

        _store.WriteLock.Wait();
        try
        {
            using var conn = _store.Open();
            using var cmd = conn.Command(Sql.WriteScope).With("@v", scope);
            cmd.ExecuteNonQuery();
            NodeScope = scope;
        }
        finally
        {
            _store.WriteLock.Release();
        }
    }

    /// <summary>
    /// Starts a local write: takes the store's write lock and opens a transaction. Rows written through
    /// the returned object are captured in the change log with a fresh version and this node as origin.
    /// Dispose without <see cref="SyncWriteTransaction.Commit"/> rolls everything back.
    /// </summary>
    public SyncWriteTransaction BeginWrite()
    {
        _store.WriteLock.Wait();
        try
        {
            var conn = _store.Open();
            try
            {
                return new SyncWriteTransaction(this, conn, _store.BeginWrite(conn));
            }
            catch
            {
                conn.Dispose();
                throw;
            }
        }
        catch
        {
            _store.WriteLock.Release();
            throw;
        }
    }

    /// <summary>
    /// Every statement the engine can send for <paramref name="schema"/> in <paramref name="dialect"/>: the per-table statements
    /// (named <c>engine &lt;table&gt; upsert|delete|select by key|select joined by seq</c>, positional parameters <c>@p0 …</c>),
    /// the change log's two upserts, the reader's, applier's, peers' and status statements. A provider's own statements (SQL
    /// Server's bulk apply path and start-up setting) are listed by the provider (<c>SqlServerStore.Statements</c>).
    /// </summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect, SyncSchema schema)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(schema);
        var sql = new EngineSql(dialect, schema);
        return
        [
            .. schema.Tables.SelectMany(t => new TableSql(t, dialect).Statements),
            new("engine log upsert (local write)", sql.UpsertLog),
            new("engine log upsert (received change)", sql.ApplyLog),
            .. sql.Statements.Where(s => s.Source is not ("engine UpsertLog" or "engine ApplyLog")),
        ];
    }

    internal TableSql SqlFor(string table) =>
        _sql.TryGetValue(table, out var s) ? s : throw new KeyNotFoundException($"Table '{table}' is not declared in the sync schema.");

    internal void OnWriteFinished(bool committed)
    {
        _store.WriteLock.Release();
        if (committed)
        {
            OnLogAdvanced();
            LocalChangeCommitted?.Invoke();
        }
    }

    /// <summary>Highest sequence number issued, read inside <paramref name="tx"/>: in a write transaction the next one is one past it (log rows are never removed, only moved forward).</summary>
    internal long MaxSeq(DbConnection conn, DbTransaction? tx)
    {
        using var cmd = conn.Command(Sql.MaxSeq, tx);
        return cmd.ScalarInt64();
    }

    /// <summary>SQL text for one declared table in the store's dialect, built once; parameters are positional (<c>@p0 …</c>).</summary>
    internal sealed class TableSql
    {
        public TableSql(SyncTable table, SqlDialect dialect)
        {
            Table = table;
            string Quote(string identifier) => dialect.Quote(identifier);
            var cols = string.Join(", ", table.Columns.Select(Quote));
            Upsert = dialect.Upsert(table.Name, [table.KeyColumn], table.Columns, SqlDialect.PositionalParameters(table.Columns.Count));
            Delete = $"DELETE FROM {Quote(table.Name)} WHERE {Quote(table.KeyColumn)} = @p0";
            SelectByKey = $"SELECT {cols} FROM {Quote(table.Name)} WHERE {Quote(table.KeyColumn)} = @p0";
            var tcols = string.Join(", ", table.Columns.Select(c => "t." + Quote(c)));
            // SQLite: "+l.tbl" keeps the planner on the seq index (the (tbl, pk) index would scan every entry of the table per batch),
            // and every term is answered from that index alone (it holds seq, tbl, pk): no lookup of the log row itself.
            SelectJoinedBySeq = $"SELECT l.seq, {tcols} FROM _sync_log l JOIN {Quote(table.Name)} t ON t.{Quote(table.KeyColumn)} = l.pk " +
                $"WHERE {dialect.Unindexed("l.tbl")} = @tbl AND l.seq > @after AND l.seq <= @through";
        }

        public SyncTable Table { get; }

        public string Upsert { get; }

        public string Delete { get; }

        public string SelectByKey { get; }

        /// <summary>Current rows of the log entries of this table in a sequence range (the reader's batch fetch).</summary>
        public string SelectJoinedBySeq { get; }

        /// <summary>The statements above, named, for checking them against the store and the dialect's parser.</summary>
        public IEnumerable<StoreStatement> Statements =>
        [
            new($"engine {Table.Name} upsert", Upsert),
            new($"engine {Table.Name} delete", Delete),
            new($"engine {Table.Name} select by key", SelectByKey),
            new($"engine {Table.Name} select joined by seq", SelectJoinedBySeq),
        ];
    }
}
