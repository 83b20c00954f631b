using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.SqlServer;

/// <summary>
/// A store in a SQL Server database (SQL Server 2022 or later), for the city hall in production: a million cases a
/// year, backed up and operated by the city's DBAs (see <c>docs/OPERATIONS.md</c>). The database must exist; the
/// migrations create every table in the login's default schema. Connections are pooled by SqlClient.
/// </summary>
public sealed class SqlServerStoreProvider : StoreProvider, IEnginePartsProvider
{
    /// <summary>Configured name of this provider.</summary>
    public const string ProviderName = StoreProviders.SqlServer;

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

    /// <inheritdoc />
    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction(IsolationLevel.ReadCommitted);

    /// <inheritdoc />
    /// <remarks>Needs <c>ALLOW_SNAPSHOT_ISOLATION ON</c>, which <see cref="PrepareForWrites"/> sets.</remarks>
    public override DbTransaction BeginSnapshotRead(DbConnection connection) => connection.BeginTransaction(IsolationLevel.Snapshot);

    /// <summary>Errors of the data: key and unique violations, foreign key and check constraints, NULL into NOT NULL, conversions, truncation, overflow.</summary>
    private static readonly HashSet<int> DataErrors = [2627, 2601, 547, 515, 245, 8114, 8115, 8152, 2628, 220, 232, 241, 242];

    /// <inheritdoc />
    public override bool IsDataError(Exception exception) =>
        exception is SqlException se && se.Errors.Cast<SqlError>().Any(e => DataErrors.Contains(e.Number));

    /// <summary>Turns snapshot isolation on (the reader's consistent view of the log and the rows) unless it is on.</summary>
    public const string EnableSnapshotIsolation =
        "IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE database_id = DB_ID() AND snapshot_isolation_state = 1) ALTER DATABASE CURRENT SET ALLOW_SNAPSHOT_ISOLATION ON;";

    /// <inheritdoc />
    /// <remarks>Runs after the schema check, so a refused database is not changed. Needs ALTER on the database the first time (see docs/OPERATIONS.md).</remarks>
    public override void PrepareForWrites()
    {
        using var conn = Open();
        using var cmd = conn.Command(EnableSnapshotIsolation);
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    EngineParts IEnginePartsProvider.EngineParts => SqlServerEngineParts.Instance;

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
