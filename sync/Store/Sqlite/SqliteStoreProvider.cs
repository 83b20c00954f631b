using System.Data.Common;
using Microsoft.Data.Sqlite;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Store.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file per node, in WAL mode so readers never
/// block the writer, with <c>synchronous=NORMAL</c> (durable at checkpoints, never corrupt
/// after a crash: a kill -9 loses at most the last transactions that had not yet been
/// acknowledged to anyone, because cursors only advance after commit).
/// </summary>
public sealed class SqliteStoreProvider : StoreProvider
{
    private readonly string _connectionString;

    /// <summary>Creates a provider for the SQLite file at <paramref name="path"/>; the directory must exist.</summary>
    public SqliteStoreProvider(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Name => StoreProviders.Sqlite;

    /// <inheritdoc />
    public override string Location => Path;

    /// <inheritdoc />
    public override SqlDialect Dialect => SqliteDialect.Instance;

    /// <inheritdoc />
    public override DbConnection Open() => OpenSqlite();

    /// <summary>Opens a typed SQLite connection (for prepared-command fast paths).</summary>
    public SqliteConnection OpenSqlite()
    {
        var conn = new SqliteConnection(_connectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY;";
        cmd.ExecuteNonQuery();
        return conn;
    }

    /// <inheritdoc />
    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <inheritdoc />
    public override DbTransaction BeginSnapshotRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    /// <inheritdoc />
    public override bool IsDataError(Exception exception) =>
        exception is SqliteException se && se.SqliteErrorCode is 19 /* CONSTRAINT */ or 20 /* MISMATCH */ or 25 /* RANGE */;

    /// <inheritdoc />
    /// <remarks>Switches the file to WAL (persistent in the file header), so it runs only after the schema check passed.</remarks>
    public override void PrepareForWrites()
    {
        using var conn = OpenSqlite();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        base.Dispose();
    }
}
