using System.Text;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// Every statement the engine sends, other than the per-table ones (<see cref="SyncStore.TableSql"/>), built once from the
/// store's dialect: written once in portable SQL, with the dialect's shape where SQLite and SQL Server differ (upserts,
/// paging, null-safe comparison, key lists, quoting of <c>key</c>). <see cref="Statements"/> lists them all for the parser test.
/// </summary>
internal sealed class EngineSql
{
    private static readonly string[] LogColumns = ["tbl", "pk", "seq", "hlc", "origin", "via", "scope", "prev_scope", "deleted", "base_hlc", "base_origin"];
    private const string O = SqlDialect.Old, N = SqlDialect.New;
    private readonly SqlDialect _d;

    public EngineSql(SqlDialect dialect, SyncSchema schema)
    {
        _d = dialect;
        var d = dialect;
        var key = d.Quote("key");
        MaxHlc = "SELECT COALESCE(MAX(hlc), 0) FROM _sync_log";
        MaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM _sync_log";
        ReadScope = $"SELECT value FROM _sync_meta WHERE {key} = 'scope'";
        WriteScope = d.Upsert("_sync_meta", ["key"], ["key", "value"], ["'scope'", "@v"]);
        HasParked = "SELECT CASE WHEN EXISTS (SELECT 1 FROM _sync_parked) THEN 1 ELSE 0 END";
        ReadParked = "SELECT tbl, pk, origin, via, reason, parked_at, last_attempt, attempts FROM _sync_parked ORDER BY parked_at";
        ParkedForRetry = $"SELECT via, guard_scope, batch FROM _sync_parked ORDER BY parked_at {d.Limit("@max")}";
        Park = d.Upsert("_sync_parked", ["tbl", "pk", "hlc", "origin"],
            ["tbl", "pk", "hlc", "origin", "via", "guard_scope", "batch", "reason", "parked_at", "last_attempt"],
            ["@t", "@k", "@h", "@o", "@via", "@g", "@b", "@r", "@now", "@now"],
            [("reason", $"{N}.reason"), ("last_attempt", $"{N}.last_attempt"), ("attempts", $"{O}.attempts + 1")]);
        Unpark = "DELETE FROM _sync_parked WHERE tbl = @t AND pk = @k AND hlc = @h AND origin = @o";
        InsertConflict = """
            INSERT INTO _sync_conflicts (tbl, pk, winner_hlc, winner_origin, loser_hlc, loser_origin, detected_at, via)
            VALUES (@t, @k, @wh, @wo, @lh, @lo, @at, @via)
            """;
        HeldVersions = $"SELECT pk, hlc, origin, scope, prev_scope, base_hlc, base_origin FROM _sync_log WHERE tbl = @t AND pk IN ({d.TextList("@keys")})";
        LogEntryOf = "SELECT scope, 1 FROM _sync_log WHERE tbl = @t AND pk = @k";
        const string scanColumns = "SELECT tbl, pk, seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin FROM _sync_log";
        LogScan = $"{scanColumns} WHERE seq > @after AND seq <= @upto ORDER BY seq {d.Limit("@scan")}";
        LogScanExcludingVia = $"{scanColumns} WHERE seq > @after AND seq <= @upto AND {d.IsDistinctFrom("via", "@via")} ORDER BY seq {d.Limit("@scan")}";
        WatchScan = $"SELECT tbl, scope, prev_scope FROM _sync_log WHERE seq > @after AND seq <= @upto AND {d.IsDistinctFrom("via", "@child")} ORDER BY seq";
        (UpsertLog, ApplyLog) = LogStatements(d);

        ReadPeers = """
            SELECT peer_id, relation, scope, push_cursor, pull_cursor, last_success, last_attempt, offline_since, last_error
            FROM _sync_peers ORDER BY CASE relation WHEN 'parent' THEN 0 ELSE 1 END, peer_id
            """;
        (string, string) relation = ("relation", $"{N}.relation"), scope = ("scope", $"COALESCE({N}.scope, {O}.scope)");
        PeerSucceeded = d.Upsert("_sync_peers", ["peer_id"], ["peer_id", "relation", "scope", "last_success", "last_attempt"],
            ["@id", "@rel", "@scope", "@now", "@now"],
            [relation, scope, ("last_success", "@now"), ("last_attempt", "@now"), ("offline_since", "NULL"), ("last_error", "NULL")]);
        PeerFailed = d.Upsert("_sync_peers", ["peer_id"], ["peer_id", "relation", "scope", "last_attempt", "offline_since", "last_error"],
            ["@id", "@rel", "@scope", "@now", "@now", "@err"],
            [relation, scope, ("last_attempt", "@now"), ("offline_since", $"COALESCE({O}.offline_since, @now)"), ("last_error", "@err")]);
        EnsureParent = $"""
            DELETE FROM _sync_peers WHERE relation = 'parent' AND peer_id <> @id AND last_success IS NOT NULL;
            UPDATE _sync_peers SET peer_id = @id WHERE relation = 'parent' AND peer_id <> @id
                AND NOT EXISTS (SELECT 1 FROM _sync_peers WHERE peer_id = @id);
            DELETE FROM _sync_peers WHERE relation = 'parent' AND peer_id <> @id;
            {d.Upsert("_sync_peers", ["peer_id"], ["peer_id", "relation"], ["@id", "'parent'"], [("relation", "'parent'")])}
            """;
        string Cursor(string col) => d.Upsert("_sync_peers", ["peer_id"], ["peer_id", "relation", "scope", col], ["@id", "@rel", "@scope", "@v"],
            [(col, $"{N}.{col}"), scope]);
        SetPushCursor = Cursor("push_cursor");
        SetPullCursor = Cursor("pull_cursor");

        var up = schema.Tables.Where(t => t.Direction == SyncDirection.Both).Select(t => t.Name).ToList();
        UpTables = up;
        PendingUpstream = new StringBuilder("SELECT COUNT(*) FROM _sync_log WHERE seq > @c AND (via IS NULL OR via <> @p) AND tbl IN (")
            .AppendJoin(", ", up.Select((_, i) => "@t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Append(')').ToString();
        // The scope range [s/, s0) holds exactly the paths under s ('0' follows '/'): a range a key index can seek, on either store.
        PendingForChild = """
            SELECT COUNT(*) FROM _sync_log WHERE seq > @c AND (via IS NULL OR via <> @id)
              AND (scope IS NULL OR scope = @s OR (scope >= @under AND scope < @past))
            """;
    }

    public string MaxHlc { get; }

    public string MaxSeq { get; }

    public string ReadScope { get; }

    public string WriteScope { get; }

    public string HasParked { get; }

    public string ReadParked { get; }

    public string ParkedForRetry { get; }

    public string Park { get; }

    public string Unpark { get; }

    public string InsertConflict { get; }

    /// <summary>The held version of each key of one table in a JSON array (@t, @keys).</summary>
    public string HeldVersions { get; }

    public string LogEntryOf { get; }

    /// <summary>The reader's log scan: @after, @upto, @scan.</summary>
    public string LogScan { get; }

    /// <summary>The reader's log scan without the entries a peer sent: @after, @upto, @via, @scan.</summary>
    public string LogScanExcludingVia { get; }

    public string WatchScan { get; }

    /// <summary>
    /// Upserts the tracking row of a local write; when the scope changes the old scope is kept so that peers
    /// which may no longer hold the row get a delete. The replaced version becomes the new entry's base.
    /// </summary>
    public string UpsertLog { get; }

    /// <summary>Upserts the tracking row of a received change: it keeps the writer's version and base, and records who sent it.</summary>
    /// <remarks>SQLite's applier binds it by position: tbl, pk, seq, hlc, origin, via, scope, deleted, base_hlc, base_origin.</remarks>
    public string ApplyLog { get; }

    public string ReadPeers { get; }

    public string PeerSucceeded { get; }

    public string PeerFailed { get; }

    public string EnsureParent { get; }

    public string SetPushCursor { get; }

    public string SetPullCursor { get; }

    /// <summary>Tables that travel up, bound as @t0 … in <see cref="PendingUpstream"/>.</summary>
    public IReadOnlyList<string> UpTables { get; }

    public string PendingUpstream { get; }

    public string PendingForChild { get; }

    /// <summary>Every statement above, named.</summary>
    public IEnumerable<StoreStatement> Statements =>
        GetType().GetProperties()
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => new StoreStatement("engine " + p.Name, (string)p.GetValue(this)!))
            .Where(s => !(s.Source == "engine PendingUpstream" && UpTables.Count == 0));

    /// <summary>The dialect the statements are spelled in.</summary>
    public SqlDialect Dialect => _d;

    /// <summary>The change log's two upserts in <paramref name="dialect"/>: a local write's and a received change's.</summary>
    private static (string Upsert, string Apply) LogStatements(SqlDialect dialect)
    {
        (string, string)[] common =
        [
            ("prev_scope", $"CASE WHEN {dialect.IsDistinctFrom($"{O}.scope", $"{N}.scope")} THEN {O}.scope ELSE {O}.prev_scope END"),
            ("seq", $"{N}.seq"), ("hlc", $"{N}.hlc"), ("origin", $"{N}.origin"), ("via", $"{N}.via"), ("scope", $"{N}.scope"), ("deleted", $"{N}.deleted"),
        ];
        string[] keys = ["tbl", "pk"];
        var upsert = dialect.Upsert("_sync_log", keys, LogColumns,
            ["@tbl", "@pk", "@seq", "@hlc", "@origin", "@via", "@scope", "NULL", "@deleted", "NULL", "NULL"],
            [common[0], ("base_hlc", $"{O}.hlc"), ("base_origin", $"{O}.origin"), .. common[1..]]);
        var apply = dialect.Upsert("_sync_log", keys, LogColumns,
            ["@tbl", "@pk", "@seq", "@hlc", "@origin", "@via", "@scope", "NULL", "@deleted", "@bhlc", "@borigin"],
            [common[0], ("base_hlc", $"{N}.base_hlc"), ("base_origin", $"{N}.base_origin"), .. common[1..]]);
        return (upsert, apply);
    }
}
