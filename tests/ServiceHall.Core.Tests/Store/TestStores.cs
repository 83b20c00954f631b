using Microsoft.Data.SqlClient;
using ServiceHall.Sync.SqlServer;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Core.Tests.Store;

/// <summary>A fresh, empty store of one provider for one test; disposing removes it.</summary>
public interface ITestStore : IDisposable
{
    StoreProvider Provider { get; }
}

/// <summary>A new SQLite file in a temporary directory.</summary>
public sealed class SqliteTestStore : ITestStore
{
    private readonly TempDirectory _dir = new();

    public SqliteTestStore() => Provider = new SqliteStoreProvider(_dir.File("store.db"));

    public StoreProvider Provider { get; }

    public void Dispose()
    {
        Provider.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// A new database on the SQL Server named by the environment variable <see cref="Variable"/>, dropped on dispose.
/// Without the variable the test is reported as skipped with <see cref="SkipReason"/>.
/// </summary>
public sealed class SqlServerTestStore : ITestStore
{
    public const string Variable = "SERVICEHALL_SQLSERVER";

    public const string SkipReason = "set SERVICEHALL_SQLSERVER to a connection string to run against SQL Server";

    private readonly string _server;
    private readonly string _database = "servicehall_test_" + Guid.NewGuid().ToString("N");

    public SqlServerTestStore()
    {
        var cs = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(cs), SkipReason);
        _server = new SqlConnectionStringBuilder(cs) { InitialCatalog = "master" }.ConnectionString;
        Execute(_server, $"CREATE DATABASE [{_database}]");
        Provider = new SqlServerStoreProvider(new SqlConnectionStringBuilder(cs) { InitialCatalog = _database }.ConnectionString);
    }

    public StoreProvider Provider { get; }

    public void Dispose()
    {
        Provider.Dispose();
        Execute(_server, $"ALTER DATABASE [{_database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_database}]");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var conn = new SqlConnection(connectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
