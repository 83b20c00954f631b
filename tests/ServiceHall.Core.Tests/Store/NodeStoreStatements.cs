using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.SqlServer;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Tests.Store;

/// <summary>
/// Every statement a city node sends to its store in one dialect, taken from the node as it is really composed
/// (its registered store components and synced schema), so a component added later is checked without editing the tests.
/// </summary>
internal static class NodeStoreStatements
{
    public static (IReadOnlyList<StoreComponent> Components, SyncSchema Schema) CityNodeStore()
    {
        using var dir = new TempDirectory();
        var app = NodeProgram.Build(["--id", "city", "--listen", "http://127.0.0.1:0", "--data", dir.Path, "--insecure-cleartext"], NodeLevel.City, null, null, TimeProvider.System);
        try
        {
            return (app.Services.GetServices<StoreComponent>().ToList(), app.Services.GetRequiredService<SyncSchema>());
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public static IReadOnlyList<StoreStatement> All(SqlDialect dialect)
    {
        var (components, schema) = CityNodeStore();
        return
        [
            .. Migrator.Statements(dialect),
            .. components.SelectMany(c => Migrator.Statements(dialect, c.Migrations)),
            .. SyncStore.Statements(dialect, schema),
            .. dialect is SqlServerDialect ? SqlServerStore.Statements(schema) : [],
            // Every registered component's statements: each module's own, the domain's statistics, the health probe.
            .. components.SelectMany(c => c.Statements(dialect)),
            .. DialectShapes(dialect),
        ];
    }

    /// <summary>Each dialect shape on a table of two key columns and two others, including the all-key case.</summary>
    private static IEnumerable<StoreStatement> DialectShapes(SqlDialect d)
    {
        string[] keys = ["a", "b"], cols = ["a", "b", "c", "d"], pars = ["@a", "@b", "@c", "@d"];
        yield return new("dialect upsert", d.Upsert("t", keys, cols, pars));
        yield return new("dialect upsert, key only", d.Upsert("t", keys, keys, pars[..2]));
        yield return new("dialect insert if absent", d.InsertIfAbsent("t", keys, cols, pars));
        yield return new("dialect limit", $"SELECT a FROM t ORDER BY a {d.Limit("@n")}");
        yield return new("dialect distinct", $"SELECT a FROM t WHERE {d.IsDistinctFrom("c", "@c")}");
        yield return new("dialect unindexed", $"SELECT a FROM t WHERE {d.Unindexed("a")} = @a");
        yield return new("dialect text list", $"SELECT a FROM t WHERE a IN ({d.TextList("@keys")})");
        yield return new("dialect length", $"SELECT {d.Length("a")} FROM t");
    }
}
