using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace ServiceHall.Sync.Store.SqlServer;

/// <summary>
/// A store in a SQL Server database (SQL Server 2022 or later), for the city hall in production: a million cases a
/// year, backed up and operated by the city's DBAs (see <c>docs/OPERATIONS.md</c>). The database must exist; the
/// migrations create every table in the login's default schema. Connections are pooled by SqlClient.
/// </summary>
public sealed class SqlServerStoreProvider : StoreProvider
{
    /// <summary>Configured name of this provider.</summary>
    public const string ProviderName = "sqlserver";

    private readonly string _connectionString;

    /// <summary>Creates a provider for the database named by <paramref name="connectionString"/>; nothing is opened yet.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed, or names no server or no database.</exception>
    public SqlServerStoreProvider(string connectionString)
    {
        SqlConnectionStringBuilder builder;
        try
        {
            builder = new SqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"The SQL Server connection string cannot be read: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new ArgumentException("The SQL Server connection string names no server: add Server=<host>[,port].", nameof(connectionString));
        }

        // Without a database the tables would land in the login's default database, usually master.
        if (string.IsNullOrWhiteSpace(builder.InitialCatalog))
        {
            throw new ArgumentException("The SQL Server connection string names no database: add Database=<name> (create it first, see docs/OPERATIONS.md).", nameof(connectionString));
        }

        Server = builder.DataSource;
        Database = builder.InitialCatalog;
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == new SqlConnectionStringBuilder().ApplicationName
            ? "ServiceHall"
            : builder.ApplicationName;
        _connectionString = builder.ConnectionString;
    }

    /// <summary>Server as named in the connection string (host, optional instance and port).</summary>
    public string Server { get; }

    /// <summary>Database name.</summary>
    public string Database { get; }

    /// <inheritdoc />
    public override string Name => ProviderName;

    /// <inheritdoc />
    public override string Location => $"{Server}/{Database}";

    /// <inheritdoc />
    public override SqlDialect Dialect => SqlServerDialect.Instance;

    /// <inheritdoc />
    public override DbConnection Open()
    {
        var conn = new SqlConnection(_connectionString);
        try
        {
            conn.Open();
        }
        catch (SqlException ex)
        {
            conn.Dispose();
            throw new StoreUnavailableException(Name, Location, ex.Message, ex);
        }

        return conn;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        // Only this store's pool: other providers in the process (tests) keep theirs.
        using (var conn = new SqlConnection(_connectionString))
        {
            SqlConnection.ClearPool(conn);
        }

        base.Dispose();
    }
}
