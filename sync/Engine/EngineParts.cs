using System.Data.Common;
using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Sync.Engine;

// The provider-specific parts of the engine. The engine's logic (which log entries go to whom, version decisions,
// conflicts, parking, cursors) is written once in ChangeReader and ChangeApplier; a store provider supplies how the
// change log and the rows are scanned and how an applied batch's rows reach the tables: SQLite through raw
// statements (SqliteEngineParts), SQL Server through ADO.NET readers and a bulk copy plus one MERGE per table
// (SqlServerApplyWriter, in sync-sqlserver).
//
// Direction: these strategies are ENGINE types (they speak in rows, fields and log entries of the engine), so they live
// here and the store boundary (ServiceHall.Sync.Store: StoreProvider, SqlDialect) knows nothing of them. The engine asks
// for the parts of a provider with EngineParts.For: the built-in SQLite provider gets the raw SQLite path below, a
// provider from another assembly supplies its own by implementing IEnginePartsProvider (the SQL Server provider does).

/// <summary>How the engine scans and writes the store of one provider: the log scan, the joined row scan and the apply writer.</summary>
internal abstract class EngineParts
{
    /// <summary>
    /// The parts for <paramref name="store"/>: SQLite's raw path for the built-in SQLite provider, the provider's own when it
    /// implements <see cref="IEnginePartsProvider"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The provider supplies no engine parts.</exception>
    public static EngineParts For(StoreProvider store) => store switch
    {
        IEnginePartsProvider p => p.EngineParts,
        SqliteStoreProvider => SqliteEngineParts.Instance,
        _ => throw new NotSupportedException($"The {store.Name} store provider supplies no sync engine parts: implement {nameof(IEnginePartsProvider)}."),
    };

    /// <summary>The change log scan of the reader (named parameters @after, @upto, [@via,] @scan, in that order).</summary>
    public abstract LogRows ScanLog(DbConnection connection, DbTransaction transaction, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan);

    /// <summary>The joined row scan of the reader (named parameters @tbl, @after, @through, in that order).</summary>
    public abstract TableRows ScanRows(DbConnection connection, DbTransaction transaction, string sql, string table, long after, long through);

    /// <summary>How the applier's winning changes reach the tables and the change log in <paramref name="transaction"/>.</summary>
    public abstract ApplyWriter CreateApplyWriter(DbConnection connection, DbTransaction transaction, SyncSchema schema, string applyLogSql);

    /// <summary>The log scan through ADO.NET, for providers without a raw path.</summary>
    protected static LogRows AdoScanLog(DbConnection connection, DbTransaction transaction, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan)
    {
        var cmd = connection.Command(sql, transaction).With("@after", after).With("@upto", upto);
        if (viaInSql)
        {
            cmd.With("@via", excludeVia);
        }

        return new AdoLogRows(cmd.With("@scan", scan), excludeVia);
    }

    /// <summary>The joined row scan through ADO.NET, for providers without a raw path.</summary>
    protected static TableRows AdoScanRows(DbConnection connection, DbTransaction transaction, string sql, string table, long after, long through) =>
        new AdoTableRows(connection.Command(sql, transaction).With("@tbl", table).With("@after", after).With("@through", through));
}

/// <summary>
/// A <see cref="StoreProvider"/> from outside this assembly that gives the engine its own scan and apply path
/// (the SQL Server provider: ADO.NET scans, bulk copy and MERGE). Engine-internal by nature: visible to the provider
/// assemblies named in the project's InternalsVisibleTo.
/// </summary>
internal interface IEnginePartsProvider
{
    /// <summary>This provider's parts; one instance, used for every store of the provider.</summary>
    EngineParts EngineParts { get; }
}

/// <summary>
/// Entries of the change log in sequence order, as the reader's log scan returns them
/// (columns: tbl, pk, seq, hlc, origin, via, scope, prev_scope, deleted, base_hlc, base_origin).
/// </summary>
internal abstract class LogRows : IDisposable
{
    /// <summary>Moves to the next entry; false when there is none.</summary>
    public abstract bool Step();

    public abstract long Seq { get; }

    public abstract string Table { get; }

    public abstract string Key { get; }

    public abstract long Hlc { get; }

    public abstract string Origin { get; }

    /// <summary>True if the entry came from the peer the scan was told to exclude.</summary>
    public abstract bool FromExcluded { get; }

    public abstract string? Scope { get; }

    public abstract string? PrevScope { get; }

    public abstract bool Deleted { get; }

    /// <summary>0 when the entry has no base version.</summary>
    public abstract long BaseHlc { get; }

    /// <summary>Empty when the entry has no base version.</summary>
    public abstract string BaseOrigin { get; }

    public abstract void Dispose();
}

/// <summary>Rows of one table joined to their log entries (<see cref="SyncStore.TableSql.SelectJoinedBySeq"/>): seq, then the columns.</summary>
internal abstract class TableRows : IDisposable
{
    public abstract bool Step();

    public abstract long Seq { get; }

    /// <summary>Appends the current row's <paramref name="columns"/> values to <paramref name="row"/>, by the storage class of each value.</summary>
    public abstract void WriteRow(RowWriter row, int columns);

    public abstract void Dispose();
}

/// <summary>One entry written to the change log for a received change; <see cref="PrevScope"/> is computed by the applier.</summary>
internal readonly record struct LogEntry(
    string Table, string Key, long Seq, long Hlc, string Origin, string Via, string? Scope, string? PrevScope, bool Deleted, long BaseHlc, string? BaseOrigin);

/// <summary>
/// Where the applier's decisions go: the rows and log entries of the changes that won. A writer may write at once
/// (SQLite) or collect and write at <see cref="Flush"/> (SQL Server); the applier flushes before the domain's hook,
/// before the extra work of the transaction, and after each change when it applies change by change, so a failure
/// always surfaces inside the savepoint of the change that caused it.
/// </summary>
internal abstract class ApplyWriter : IDisposable
{
    /// <summary>Writes a row; <paramref name="map"/> gives, for each declared column, its field in <paramref name="fields"/>.</summary>
    public abstract void Upsert(SyncStore.TableSql sql, string key, int[] map, ReadOnlySpan<RowField> fields, ReadOnlySpan<byte> row);

    public abstract void Delete(SyncStore.TableSql sql, string key);

    public abstract void Log(in LogEntry entry);

    /// <summary>Writes what was collected; a no-op for a writer that writes at once.</summary>
    public virtual void Flush()
    {
    }

    /// <summary>Forgets what was collected and not flushed (the savepoint of a poison change was rolled back).</summary>
    public virtual void Discard()
    {
    }

    public abstract void Dispose();
}

/// <summary>
/// A writer that applies a batch set-based: it collects the applier's decisions — per table the last operation of each key
/// (as applying them one by one would leave it) and per (table, key) the last log entry, its previous scope computed by the
/// applier — and hands them over at <see cref="Flush"/>: SQL Server's bulk copy and MERGE (SqlServerApplyWriter).
/// </summary>
internal abstract class CollectingApplyWriter : ApplyWriter
{
    private readonly Dictionary<(string Table, string Key), LogEntry> _log = [];
    private readonly Dictionary<string, (SyncTable Table, Dictionary<string, object[]?> Ops)> _rows = new(StringComparer.Ordinal);

    public sealed override void Upsert(SyncStore.TableSql sql, string key, int[] map, ReadOnlySpan<RowField> fields, ReadOnlySpan<byte> row)
    {
        var values = new object[map.Length];
        for (var i = 0; i < map.Length; i++)
        {
            values[i] = fields[map[i]].ToObject(row);
        }

        Ops(sql.Table)[key] = values;
    }

    public sealed override void Delete(SyncStore.TableSql sql, string key) => Ops(sql.Table)[key] = null;

    public sealed override void Log(in LogEntry entry) => _log[(entry.Table, entry.Key)] = entry;

    public sealed override void Flush()
    {
        foreach (var (table, ops) in _rows.Values)
        {
            if (ops.Count > 0)
            {
                WriteTable(table, [.. ops.Values.Where(v => v is not null).Select(v => v!)], [.. ops.Where(o => o.Value is null).Select(o => o.Key)]);
                ops.Clear();
            }
        }

        if (_log.Count > 0)
        {
            WriteLog(_log.Values);
            _log.Clear();
        }
    }

    public sealed override void Discard()
    {
        _rows.Clear();
        _log.Clear();
    }

    public override void Dispose()
    {
    }

    /// <summary>Writes the final rows (values in declared column order) and deletes of one table.</summary>
    protected abstract void WriteTable(SyncTable table, IReadOnlyList<object[]> upserts, IReadOnlyList<string> deletes);

    /// <summary>Writes whole log entries: every column from the entry (one per (table, key)).</summary>
    protected abstract void WriteLog(IReadOnlyCollection<LogEntry> entries);

    private Dictionary<string, object[]?> Ops(SyncTable table)
    {
        if (!_rows.TryGetValue(table.Name, out var entry))
        {
            entry = (table, new Dictionary<string, object[]?>(StringComparer.Ordinal));
            _rows[table.Name] = entry;
        }

        return entry.Ops;
    }
}

/// <summary>The log scan over any ADO.NET provider: values read from a <see cref="DbDataReader"/>.</summary>
internal sealed class AdoLogRows(DbCommand command, string? excludeVia) : LogRows
{
    private readonly DbDataReader _r = command.ExecuteReader();

    public override bool Step() => _r.Read();

    public override long Seq => _r.GetInt64(2);

    public override string Table => _r.GetString(0);

    public override string Key => _r.GetString(1);

    public override long Hlc => _r.GetInt64(3);

    public override string Origin => _r.GetString(4);

    public override bool FromExcluded => excludeVia is not null && !_r.IsDBNull(5) && string.Equals(_r.GetString(5), excludeVia, StringComparison.Ordinal);

    public override string? Scope => _r.IsDBNull(6) ? null : _r.GetString(6);

    public override string? PrevScope => _r.IsDBNull(7) ? null : _r.GetString(7);

    public override bool Deleted => _r.GetInt64(8) != 0;

    public override long BaseHlc => _r.IsDBNull(9) ? 0 : _r.GetInt64(9);

    public override string BaseOrigin => _r.IsDBNull(10) ? string.Empty : _r.GetString(10);

    public override void Dispose()
    {
        _r.Dispose();
        command.Dispose();
    }
}

/// <summary>The joined row scan over any ADO.NET provider: each value written by its CLR type.</summary>
internal sealed class AdoTableRows(DbCommand command) : TableRows
{
    private readonly DbDataReader _r = command.ExecuteReader();

    public override bool Step() => _r.Read();

    public override long Seq => _r.GetInt64(0);

    public override void WriteRow(RowWriter row, int columns)
    {
        for (var i = 1; i <= columns; i++)
        {
            var value = _r.GetValue(i);
            if (!row.TryWriteValue(value))
            {
                throw new InvalidDataException($"Column {i} holds a {value.GetType().Name}, which a synced row cannot carry.");
            }
        }
    }

    public override void Dispose()
    {
        _r.Dispose();
        command.Dispose();
    }
}
