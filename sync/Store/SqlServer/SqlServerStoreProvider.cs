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
        var builder = Parse(connectionString, out var problem) ?? throw new ArgumentException(problem, nameof(connectionString));
        Server = builder.DataSource;
        Database = builder.InitialCatalog;
        builder.ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) || builder.ApplicationName == new SqlConnectionStringBuilder().ApplicationName
            ? "ServiceHall"
            : builder.ApplicationName;
        _connectionString = builder.ConnectionString;
    }

    /// <summary>What is wrong with <paramref name="connectionString"/> for a store, or null if it names a server and a database.</summary>
    public static string? Problem(string connectionString)
    {
        Parse(connectionString, out var problem);
        return problem;
    }

    private static SqlConnectionStringBuilder? Parse(string connectionString, out string? problem)
    {
        SqlConnectionStringBuilder builder;
        try
        {
            builder = new SqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            problem = $"the SQL Server connection string cannot be read ({ex.Message}).";
            return null;
        }

        // Without a database the tables would land in the login's default database, usually master.
        problem = string.IsNullOrWhiteSpace(builder.DataSource) ? "the SQL Server connection string names no server: add Server=<host>[,port]."
            : string.IsNullOrWhiteSpace(builder.InitialCatalog) ? "the SQL Server connection string names no database: add Database=<name> (create it first, see docs/OPERATIONS.md)."
            : null;
        return problem is null ? builder : null;
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
            throw new StoreUnavailableException(Name, Location, Cause(ex), ex);
        }

        return conn;
    }

    /// <summary>
    /// SqlClient's message, with the innermost exception's when it adds something (on Linux a refused connection ends in
    /// "an internal exception was caught" over a socket error that reads "Success"), and what to check for a network error.
    /// </summary>
    private static string Cause(SqlException ex)
    {
        var inner = ex.GetBaseException();
        var informative = !ReferenceEquals(inner, ex)
            && !(inner is System.Net.Sockets.SocketException se && se.SocketErrorCode == System.Net.Sockets.SocketError.Success);
        var cause = informative ? $"{ex.Message} ({inner.Message})" : ex.Message;
        // Class 20 with number 0 or a negative number: the server was never reached (not a login or database error).
        return ex.Class >= 20 && ex.Number <= 0
            ? cause + " Check that SQL Server runs there and accepts TCP connections on that port, and that no firewall is in between."
            : cause;
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
