using System.Security.Cryptography;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Core.Tests.Store;

public class MigratorTests
{
    private static readonly Migration[] Steps =
    [
        new(1, "create a", "CREATE TABLE a (id TEXT PRIMARY KEY);"),
        new(2, "add b", "CREATE TABLE b (id TEXT PRIMARY KEY, n INTEGER);"),
    ];

    [Fact]
    public void Apply_Twice_IsIdempotent()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStoreProvider(dir.File("n.db"));
        Assert.Equal(2, Migrator.Apply(store, "demo", Steps, TimeProvider.System));
        Assert.Equal(2, Migrator.Apply(store, "demo", Steps, TimeProvider.System));
        Assert.Equal(2, Migrator.ReadVersions(store)["demo"]);
        using var conn = store.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN ('a','b')";
        Assert.Equal(2L, cmd.ExecuteScalar());
    }

    [Fact]
    public void Apply_OnlyFirstStepApplied_AppliesTheRest()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStoreProvider(dir.File("n.db"));
        Migrator.Apply(store, "demo", Steps[..1], TimeProvider.System);
        Assert.Equal(1, Migrator.ReadVersions(store)["demo"]);
        Assert.Equal(2, Migrator.Apply(store, "demo", Steps, TimeProvider.System));
    }

    [Fact]
    public void Apply_StoreFromNewerProgram_RefusedAndFileUnchanged()
    {
        using var dir = new TempDirectory();
        var path = dir.File("n.db");
        using (var newer = new SqliteStoreProvider(path))
        {
            Migrator.Apply(newer, "demo", [.. Steps, new Migration(3, "future", "CREATE TABLE c (id TEXT PRIMARY KEY);")], TimeProvider.System);
            using var conn = newer.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = SHA256.HashData(File.ReadAllBytes(path));

        using var store = new SqliteStoreProvider(path);
        var ex = Assert.Throws<StoreSchemaTooNewException>(() => Migrator.Apply(store, "demo", Steps, TimeProvider.System));
        Assert.Equal(3, ex.StoreVersion);
        Assert.Equal(2, ex.KnownVersion);
        Assert.Contains("upgrade this node's program", ex.Message, StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Apply_GapInNumbering_Rejected()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStoreProvider(dir.File("n.db"));
        Assert.Throws<InvalidOperationException>(() =>
            Migrator.Apply(store, "demo", [Steps[0], new Migration(3, "gap", "SELECT 1;")], TimeProvider.System));
    }

    [Fact]
    public void Apply_FailingStep_RollsBackThatStep()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStoreProvider(dir.File("n.db"));
        Assert.ThrowsAny<Exception>(() =>
            Migrator.Apply(store, "demo", [Steps[0], new Migration(2, "broken", "CREATE TABLE ok2 (id TEXT); CREATE TABLE (;")], TimeProvider.System));
        Assert.Equal(1, Migrator.ReadVersions(store)["demo"]);
        using var conn = store.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ok2'";
        Assert.Equal(0L, cmd.ExecuteScalar());
    }

    [Fact]
    public void EngineMigrations_ApplyToEmptyStore()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStoreProvider(dir.File("n.db"));
        Assert.Equal(SyncStore.Migrations.Count, Migrator.Apply(store, SyncStore.Component, SyncStore.Migrations, TimeProvider.System));
    }
}
