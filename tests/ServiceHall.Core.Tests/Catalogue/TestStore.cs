using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Core.Tests.Catalogue;

/// <summary>A migrated store in a temporary SQLite file, deleted on dispose.</summary>
internal sealed class TestStore : IDisposable
{
    private readonly string _directory;

    public TestStore(string nodeId = "city", NodeLevel level = NodeLevel.City)
    {
        _directory = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
        Provider = new SqliteStoreProvider(Path.Combine(_directory, nodeId + ".db"));
        Migrator.Apply(Provider, SyncStore.Component, SyncStore.Migrations, Time);
        ServiceHallMigrations.Apply(Provider, Time);
        Node = new NodeIdentity(nodeId, level);
        Sync = new SyncStore(Provider, ServiceHallSchema.Create(), nodeId, Time);
        Repository = new CatalogueRepository(Sync, Node);
    }

    public FakeTimeProvider Time { get; }

    public SqliteStoreProvider Provider { get; }

    public NodeIdentity Node { get; }

    public SyncStore Sync { get; }

    public CatalogueRepository Repository { get; }

    public CatalogueSeedResult Seed() => CatalogueSeeder.SeedIfEmpty(Sync, Node);

    public long Scalar(string sql)
    {
        using var conn = Provider.OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        Provider.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
