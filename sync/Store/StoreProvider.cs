using System.Data.Common;

namespace ServiceHall.Sync.Store;

/// <summary>
/// Where a node keeps its data. The sync engine, the domain and every store provider
/// (SQLite by default, SQL Server for a city in production) share this boundary:
/// callers get open connections and ask the provider for dialect-specific facts,
/// never for a concrete database type.
/// </summary>
public abstract class StoreProvider : IDisposable
{
    /// <summary>Provider name as configured, e.g. <c>sqlite</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Where the data lives: a file path, or server and database. Shown to operators.</summary>
    public abstract string Location { get; }

    /// <summary>The SQL spelling of this provider: every statement that differs between providers comes from here.</summary>
    public abstract SqlDialect Dialect { get; }

    /// <summary>Opens a new connection with the provider's session settings applied.</summary>
    /// <exception cref="StoreUnavailableException">A server-based store cannot be reached; the message names it and the cause.</exception>
    public abstract DbConnection Open();

    /// <summary>
    /// Starts a write transaction on <paramref name="connection"/> that holds the store's write position from its first
    /// statement (SQLite: <c>BEGIN IMMEDIATE</c>), so that sequence numbers taken inside it are not taken by anyone else.
    /// </summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>
    /// Starts a read-only transaction in which every query sees the same committed state (SQLite: a deferred transaction
    /// on the WAL snapshot; SQL Server: snapshot isolation), so the change log and the rows it names agree.
    /// </summary>
    public abstract DbTransaction BeginSnapshotRead(DbConnection connection);

    /// <summary>
    /// True if <paramref name="exception"/> is a failure of the data written (a constraint, a type or range mismatch),
    /// not of the store (busy, full, unreachable): the applier parks a change that fails so instead of retrying the batch.
    /// </summary>
    public abstract bool IsDataError(Exception exception);

    /// <summary>
    /// Opens and closes one connection, so that a node whose store cannot be reached stops at start-up with a message
    /// instead of failing its first request.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The store cannot be reached.</exception>
    public void EnsureReachable()
    {
        using var conn = Open();
    }

    /// <summary>
    /// Puts the store into its working mode (e.g. SQLite's WAL journal). The migrator calls it only
    /// after it has checked that the store's schema is not newer than the program, so a refused
    /// store is never modified.
    /// </summary>
    public virtual void PrepareForWrites()
    {
    }

    /// <summary>
    /// Serialises writers inside this process. SQLite allows one writer at a time; taking the
    /// lock here instead of waiting on SQLITE_BUSY keeps write latency flat under load.
    /// </summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <inheritdoc />
    public virtual void Dispose()
    {
        WriteLock.Dispose();
        GC.SuppressFinalize(this);
    }
}
