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
