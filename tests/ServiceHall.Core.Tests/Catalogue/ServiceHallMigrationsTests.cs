using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Tests.Catalogue;

public sealed class ServiceHallMigrationsTests
{
    [Fact]
    public void All_EmbeddedFiles_NumberedFromOneInOrder()
    {
        var all = ServiceHallMigrations.All;

        Assert.NotEmpty(all);
        Assert.Equal(Enumerable.Range(1, all.Count), all.Select(m => m.Version));
        Assert.Equal("catalogue", all[0].Name);
        Assert.Contains("CREATE TABLE items", all[0].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NewStore_CreatesEveryDeclaredTableWithItsColumns()
    {
        using var store = new TestStore();

        foreach (var table in CatalogueTables.All)
        {
            using var conn = store.Provider.OpenSqlite();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT name, type, pk FROM pragma_table_info('{table.Name}') ORDER BY cid";
            using var r = cmd.ExecuteReader();
            var columns = new List<string>();
            string? keyType = null;
            while (r.Read())
            {
                columns.Add(r.GetString(0));
                if (r.GetInt64(2) == 1)
                {
                    Assert.Equal(table.KeyColumn, r.GetString(0));
                    keyType = r.GetString(1);
                }
            }

            Assert.Equal(table.Columns, columns);
            Assert.Equal("TEXT", keyType);
        }
    }

    [Fact]
    public void Apply_Twice_IsIdempotentAndKeepsRows()
    {
        using var store = new TestStore();
        store.Seed();
        var items = store.Scalar("SELECT COUNT(*) FROM items");

        var version = ServiceHallMigrations.Apply(store.Provider, store.Time);

        Assert.Equal(ServiceHallMigrations.All.Count, version);
        Assert.Equal(items, store.Scalar("SELECT COUNT(*) FROM items"));
        Assert.Equal(ServiceHallMigrations.All.Count, Migrator.ReadVersions(store.Provider)[ServiceHallMigrations.Component]);
        Assert.Equal(1, store.Scalar("SELECT COUNT(*) FROM _schema_versions WHERE component = 'servicehall'"));
    }

    [Fact]
    public void Apply_StoreFromNewerProgram_RefusesWithoutChange()
    {
        using var store = new TestStore();
        using (var conn = store.Provider.OpenSqlite())
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "UPDATE _schema_versions SET version = 99 WHERE component = 'servicehall'";
            cmd.ExecuteNonQuery();
        }

        Assert.Throws<StoreSchemaTooNewException>(() => ServiceHallMigrations.Apply(store.Provider, store.Time));
    }

    [Fact]
    public void Create_Schema_CatalogueDownOnlyAndGlobal_CasesAndLinksBothWaysAndScoped_ClerksDownOnlyAndScoped()
    {
        var schema = ServiceHallSchema.Create();

        Assert.Equal(4, schema.Version);
        Assert.Equal(["departments", "items", "calendar_days", "nodes", "agencies", "node_revocations", "cases", "case_events", "node_links", "clerks"], schema.Tables.Select(t => t.Name));
        Assert.Equal((SyncDirection.DownOnly, "scope"), (schema.Tables[^1].Direction, schema.Tables[^1].ScopeColumn));
        Assert.All(schema.Tables.Take(6), t =>
        {
            Assert.Equal(SyncDirection.DownOnly, t.Direction);
            Assert.Null(t.ScopeColumn);
        });
        Assert.All(schema.Tables.Skip(6).SkipLast(1), t =>
        {
            Assert.Equal(SyncDirection.Both, t.Direction);
            Assert.Equal("scope", t.ScopeColumn);
        });
    }
}
