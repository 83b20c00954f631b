using System.Data.Common;
using System.Globalization;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// What every store provider must do, as one suite: run against SQLite always, and against SQL Server when
/// <c>SERVICEHALL_SQLSERVER</c> holds a connection string (skipped with that reason otherwise). Each test gets a new,
/// empty store (a file, or a database of its own) and removes it.
/// </summary>
public abstract partial class StoreBehaviourTests
{
    private static readonly Lazy<(IReadOnlyList<Core.Store.StoreComponent> Components, SyncSchema Schema)> Node =
        new(NodeStoreStatements.CityNodeStore);

    protected abstract ITestStore CreateStore();

    [Fact]
    public void Migrate_EmptyStore_EveryComponentAtItsNewestStepAndEverySyncedColumnPresent()
    {
        using var store = CreateStore();
        var (components, schema) = Node.Value;
        foreach (var c in components)
        {
            Assert.Equal(c.Migrations.For(store.Provider.Name).Count, Migrator.Apply(store.Provider, c.Migrations, TimeProvider.System));
        }

        var versions = Migrator.ReadVersions(store.Provider);
        Assert.Equal(components.ToDictionary(c => c.Name, c => c.Migrations.For(store.Provider.Name).Count), versions);
        using var conn = store.Provider.Open();
        foreach (var t in schema.Tables)
        {
            // Fails if a synced column is missing; returns no row.
            Assert.Equal(0, Count(conn, SelectStatement(store, t)));
        }
    }

    [Fact]
    public void Migrate_Twice_SecondRunChangesNothing()
    {
        using var store = CreateStore();
        var set = Demo(store.Provider.Dialect, 2);
        Assert.Equal(2, Migrator.Apply(store.Provider, set, TimeProvider.System));
        Assert.Equal(2, Migrator.Apply(store.Provider, set, TimeProvider.System));
        Assert.Equal(2, Migrator.ReadVersions(store.Provider)["demo"]);
    }

    [Fact]
    public void Migrate_StoreFromNewerProgram_RefusedBeforeAnythingIsWritten()
    {
        using var store = CreateStore();
        Migrator.Apply(store.Provider, Demo(store.Provider.Dialect, 2), TimeProvider.System);

        var ex = Assert.Throws<StoreSchemaTooNewException>(() => Migrator.Apply(store.Provider, Demo(store.Provider.Dialect, 1), TimeProvider.System));
        Assert.Equal(2, ex.StoreVersion);
        Assert.Equal(1, ex.KnownVersion);
        Assert.Contains(store.Provider.Location, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, Migrator.ReadVersions(store.Provider)["demo"]);
    }

    [Fact]
    public void Migrate_FailingStep_RollsBackThatStepOnly()
    {
        using var store = CreateStore();
        var d = store.Provider.Dialect;
        var broken = new MigrationSet("demo", new Dictionary<string, IReadOnlyList<Migration>>
        {
            [d.Name] =
            [
                Demo(d, 1).For(d.Name)[0],
                new(2, "broken", $"CREATE TABLE demo_ok2 (id {d.IntegerType} NOT NULL PRIMARY KEY); SELECT missing FROM demo_no_such_table;"),
            ],
        });

        Assert.ThrowsAny<DbException>(() => Migrator.Apply(store.Provider, broken, TimeProvider.System));
        Assert.Equal(1, Migrator.ReadVersions(store.Provider)["demo"]);
        using var conn = store.Provider.Open();
        Assert.Equal(0, Count(conn, d.TableExists, ("@name", "demo_ok2")));
        Assert.Equal(1, Count(conn, d.TableExists, ("@name", "demo_a")));
    }

    [Fact]
    public void EngineStatements_UpsertSelectDelete_WriteAndReadTheRowByKey()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var (_, schema) = Node.Value;
        var statements = SyncStore.Statements(store.Provider.Dialect, schema).ToDictionary(s => s.Source, s => s.Sql);
        using var conn = store.Provider.Open();
        foreach (var table in new[] { "departments", "cases", "agencies" })
        {
            var t = schema[table];
            object?[] Row(string version) => t.Columns.Select(c => c == t.KeyColumn ? "k1" : $"{c}-{version}").ToArray<object?>();

            Execute(conn, statements[$"engine {table} upsert"], Row("v1"));
            Execute(conn, statements[$"engine {table} upsert"], Row("v2"));
            Assert.Equal(Row("v2"), ReadRow(conn, statements[$"engine {table} select by key"], "k1"));

            Execute(conn, statements[$"engine {table} delete"], "k1");
            Assert.Null(ReadRow(conn, statements[$"engine {table} select by key"], "k1"));
        }
    }

    [Fact]
    public void ChangeLog_LocalWrites_KeepThePreviousScopeAndTheReplacedVersionAsBase()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var log = SyncStore.Statements(store.Provider.Dialect, Node.Value.Schema).Single(s => s.Source == "engine log upsert (local write)").Sql;
        using var conn = store.Provider.Open();

        // tbl, pk, seq, hlc, origin, via, scope, deleted
        Execute(conn, log, "cases", "c1", 1L, 100L, "t01-v01", null, "city/t01/t01-v01", 0L);
        Execute(conn, log, "cases", "c1", 2L, 200L, "city", null, "city/t01/t01-v02", 0L);
        Execute(conn, log, "cases", "c1", 3L, 300L, "city", "t01", "city/t01/t01-v02", 1L);

        Assert.Equal(new object?[] { 3L, 300L, "city", "t01", "city/t01/t01-v02", "city/t01/t01-v01", 1L, 200L, "city" }, LogRow(conn, "c1"));
    }

    [Fact]
    public void ChangeLog_ReceivedChange_KeepsTheWritersBase()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var log = SyncStore.Statements(store.Provider.Dialect, Node.Value.Schema).Single(s => s.Source == "engine log upsert (received change)").Sql;
        using var conn = store.Provider.Open();

        // tbl, pk, seq, hlc, origin, via, scope, deleted, base_hlc, base_origin
        Execute(conn, log, "cases", "c1", 1L, 100L, "t01-v01", "t01", "city/t01/t01-v01", 0L, null, null);
        Execute(conn, log, "cases", "c1", 2L, 300L, "t01-v01", "t01", "city/t01/t01-v01", 0L, 250L, "city");

        Assert.Equal(new object?[] { 2L, 300L, "t01-v01", "t01", "city/t01/t01-v01", null, 0L, 250L, "city" }, LogRow(conn, "c1"));
    }

    private static object?[]? LogRow(DbConnection conn, string key) =>
        ReadRow(conn, "SELECT seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin FROM _sync_log WHERE tbl = 'cases' AND pk = @p0", key);

    [Fact]
    public void InsertIfAbsent_ExistingKey_KeepsTheRow()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var d = store.Provider.Dialect;
        string[] cols = ["code", "name", "name_en"], pars = ["@c", "@n", "@e"];
        using var conn = store.Provider.Open();
        Execute(conn, d.InsertIfAbsent("departments", ["code"], cols, pars), "TAX", "税务局", "Tax");
        Execute(conn, d.InsertIfAbsent("departments", ["code"], cols, pars), "TAX", "changed", "changed");
        Assert.Equal(["TAX", "税务局", "Tax"], ReadRow(conn, "SELECT code, name, name_en FROM departments WHERE code = @p0", "TAX"));
    }

    [Fact]
    public void Limit_OrderedQuery_ReturnsTheFirstRowsInOrder()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var d = store.Provider.Dialect;
        using var conn = store.Provider.Open();
        foreach (var code in new[] { "d3", "d1", "d4", "d2" })
        {
            Execute(conn, d.Upsert("departments", ["code"], ["code", "name", "name_en"], ["@c", "@n", "@e"]), code, code, code);
        }

        using var cmd = Command(conn, $"SELECT code FROM departments ORDER BY code {d.Limit("@n")}", ("@n", 2));
        using var r = cmd.ExecuteReader();
        var codes = new List<string>();
        while (r.Read())
        {
            codes.Add(r.GetString(0));
        }

        Assert.Equal(["d1", "d2"], codes);
    }

    [Fact]
    public void IsDistinctFrom_NullIsAValueLikeAnyOther()
    {
        using var store = CreateStore();
        MigrateNode(store);
        var d = store.Provider.Dialect;
        using var conn = store.Provider.Open();
        var upsert = d.Upsert("node_links", ["node_id"], ["node_id", "scope", "parent_id", "state", "last_error", "reported_at"], ["@i", "@s", "@p", "@st", "@e", "@r"]);
        Execute(conn, upsert, "t01", "city/t01", "city", "online", null, "2026-11-27T08:00:00+08:00");
        Execute(conn, upsert, "t02", "city/t02", "city", "offline", "refused", "2026-11-27T08:00:00+08:00");

        var distinct = $"SELECT COUNT(*) FROM node_links WHERE {d.IsDistinctFrom("last_error", "@e")}";
        Assert.Equal(1, Count(conn, distinct, ("@e", DBNull.Value)));
        Assert.Equal(1, Count(conn, distinct, ("@e", "refused")));
        Assert.Equal(2, Count(conn, distinct, ("@e", "other")));
    }

    private static void MigrateNode(ITestStore store)
    {
        foreach (var c in Node.Value.Components)
        {
            Migrator.Apply(store.Provider, c.Migrations, TimeProvider.System);
        }
    }

    /// <summary>Steps 1..<paramref name="steps"/> of a demo component, in the dialect's types.</summary>
    private static MigrationSet Demo(SqlDialect d, int steps) => new("demo", new Dictionary<string, IReadOnlyList<Migration>>
    {
        [d.Name] = new Migration[]
        {
            new(1, "create a", $"CREATE TABLE demo_a (id {d.IntegerType} NOT NULL PRIMARY KEY, note {d.TextType} NULL);"),
            new(2, "create b", $"CREATE TABLE demo_b (id {d.IntegerType} NOT NULL PRIMARY KEY, data {d.BlobType} NULL);"),
        }[..steps],
    });

    private static string SelectStatement(ITestStore store, SyncTable t) =>
        $"SELECT COUNT(*) FROM (SELECT {string.Join(", ", t.Columns.Select(store.Provider.Dialect.Quote))} FROM {store.Provider.Dialect.Quote(t.Name)} WHERE 1 = 0) x";

    private static DbCommand Command(DbConnection conn, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            if (value is null or DBNull)
            {
                p.DbType = System.Data.DbType.String;
            }

            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    private static void Execute(DbConnection conn, string sql, params object?[] positional)
    {
        var names = sql.Contains("@p0", StringComparison.Ordinal)
            ? SqlDialect.PositionalParameters(positional.Length)
            : System.Text.RegularExpressions.Regex.Matches(sql, "@[a-z]+").Select(m => m.Value).Distinct().ToList();
        using var cmd = Command(conn, sql, names.Select((n, i) => (n, positional[i])).ToArray());
        cmd.ExecuteNonQuery();
    }

    private static object?[]? ReadRow(DbConnection conn, string sql, string key)
    {
        using var cmd = Command(conn, sql, ("@p0", key));
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        var row = new object?[r.FieldCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
        }

        return row;
    }

    private static int Count(DbConnection conn, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(conn, sql, parameters);
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}

/// <summary>The store suite on SQLite (always runs).</summary>
public sealed class SqliteStoreBehaviourTests : StoreBehaviourTests
{
    protected override ITestStore CreateStore() => new SqliteTestStore();
}

/// <summary>The store suite on SQL Server (runs when <c>SERVICEHALL_SQLSERVER</c> is set, skipped with that reason otherwise).</summary>
public sealed class SqlServerStoreBehaviourTests : StoreBehaviourTests
{
    protected override ITestStore CreateStore() => new SqlServerTestStore();
}
