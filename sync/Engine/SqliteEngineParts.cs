using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using ServiceHall.Sync.Store.Sqlite;
using SQLitePCL;

namespace ServiceHall.Sync.Engine;

/// <summary>The built-in SQLite provider's parts: raw statements on the connection of the read or write transaction.</summary>
internal sealed class SqliteEngineParts : EngineParts
{
    public static SqliteEngineParts Instance { get; } = new();

    /// <inheritdoc />
    public override LogRows ScanLog(DbConnection connection, DbTransaction transaction, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan) =>
        new SqliteLogRows((SqliteConnection)connection, sql, after, upto, excludeVia, viaInSql, scan);

    /// <inheritdoc />
    public override TableRows ScanRows(DbConnection connection, DbTransaction transaction, string sql, string table, long after, long through) =>
        new SqliteTableRows((SqliteConnection)connection, sql, table, after, through);

    /// <inheritdoc />
    public override ApplyWriter CreateApplyWriter(DbConnection connection, DbTransaction transaction, SyncSchema schema, string applyLogSql) =>
        new SqliteApplyWriter((SqliteConnection)connection, applyLogSql);
}

/// <summary>
/// SQLite's log scan through a raw statement: tables, origins and scopes decoded once per distinct value
/// (<see cref="Utf8StringCache"/>), the excluded sender compared by its bytes, columns read only when asked for.
/// </summary>
internal sealed class SqliteLogRows : LogRows
{
    private readonly RawStatement _s;
    private readonly Utf8StringCache _strings = new();
    private readonly byte[]? _excludeVia;

    /// <summary>
    /// Prepares the log scan <paramref name="sql"/> on <paramref name="conn"/> (the read transaction's connection) and binds its
    /// parameters by position in order of first appearance: <paramref name="after"/>, <paramref name="upto"/>, <paramref name="excludeVia"/>
    /// when <paramref name="viaInSql"/>, <paramref name="scan"/>. Entries from <paramref name="excludeVia"/> are reported by <see cref="FromExcluded"/>.
    /// </summary>
    public SqliteLogRows(SqliteConnection conn, string sql, long after, long upto, string? excludeVia, bool viaInSql, long scan)
    {
        _s = new RawStatement(conn, sql);
        _excludeVia = excludeVia is null ? null : Encoding.UTF8.GetBytes(excludeVia);
        _s.Bind(1, after);
        _s.Bind(2, upto);
        if (viaInSql)
        {
            _s.Bind(3, excludeVia!);
        }

        _s.Bind(viaInSql ? 4 : 3, scan);
    }

    public override bool Step() => _s.Step();

    public override long Seq => _s.ColumnInt64(2);

    public override string Table => _strings.Get(_s.ColumnBytes(0));

    public override string Key => Encoding.UTF8.GetString(_s.ColumnBytes(1));

    public override long Hlc => _s.ColumnInt64(3);

    public override string Origin => _strings.Get(_s.ColumnBytes(4));

    public override bool FromExcluded => _excludeVia is not null && _s.ColumnType(5) != raw.SQLITE_NULL && _s.ColumnBytes(5).SequenceEqual(_excludeVia);

    public override string? Scope => Text(6);

    public override string? PrevScope => Text(7);

    public override bool Deleted => _s.ColumnInt64(8) != 0;

    public override long BaseHlc => _s.ColumnType(9) == raw.SQLITE_NULL ? 0 : _s.ColumnInt64(9);

    public override string BaseOrigin => Text(10) ?? string.Empty;

    private string? Text(int column) => _s.ColumnType(column) == raw.SQLITE_NULL ? null : _strings.Get(_s.ColumnBytes(column));

    public override void Dispose() => _s.Dispose();
}

/// <summary>SQLite's joined row scan through a raw statement: values go from SQLite's column bytes straight into the wire form.</summary>
internal sealed class SqliteTableRows : TableRows
{
    private readonly RawStatement _s;

    /// <summary>
    /// Prepares the joined scan <paramref name="sql"/> on <paramref name="conn"/> (the read transaction's connection) and binds its
    /// parameters by position in order of first appearance: <paramref name="table"/>, <paramref name="after"/>, <paramref name="through"/>.
    /// </summary>
    public SqliteTableRows(SqliteConnection conn, string sql, string table, long after, long through)
    {
        _s = new RawStatement(conn, sql);
        _s.Bind(1, table);
        _s.Bind(2, after);
        _s.Bind(3, through);
    }

    public override bool Step() => _s.Step();

    public override long Seq => _s.ColumnInt64(0);

    public override void WriteRow(RowWriter row, int columns)
    {
        for (var i = 1; i <= columns; i++)
        {
            switch (_s.ColumnType(i))
            {
                case raw.SQLITE_INTEGER:
                    row.WriteInt(_s.ColumnInt64(i));
                    break;
                case raw.SQLITE_TEXT:
                    row.WriteText(_s.ColumnBytes(i));
                    break;
                case raw.SQLITE_FLOAT:
                    row.WriteReal(_s.ColumnDouble(i));
                    break;
                case raw.SQLITE_BLOB:
                    row.WriteBlob(_s.ColumnBytes(i));
                    break;
                default:
                    row.WriteNull();
                    break;
            }
        }
    }

    public override void Dispose() => _s.Dispose();
}

/// <summary>
/// SQLite's apply path: each winning change written at once through prepared raw statements bound by position
/// (the upsert of its table and the change log's upsert, which computes <c>prev_scope</c> in SQL as the applier does).
/// </summary>
internal sealed class SqliteApplyWriter(SqliteConnection conn, string applyLogSql) : ApplyWriter
{
    private readonly Dictionary<string, RawStatement> _upserts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> _deletes = new(StringComparer.Ordinal);
    private readonly RawStatement _log = new(conn, applyLogSql);

    public override void Upsert(SyncStore.TableSql sql, string key, int[] map, ReadOnlySpan<RowField> fields, ReadOnlySpan<byte> row)
    {
        if (!_upserts.TryGetValue(sql.Table.Name, out var up))
        {
            up = new RawStatement(conn, sql.Upsert);
            _upserts[sql.Table.Name] = up;
        }

        for (var i = 0; i < map.Length; i++)
        {
            BindValue(up, i + 1, fields[map[i]], row);
        }

        up.Execute();
    }

    public override void Delete(SyncStore.TableSql sql, string key)
    {
        if (!_deletes.TryGetValue(sql.Table.Name, out var del))
        {
            del = new RawStatement(conn, sql.Delete);
            _deletes[sql.Table.Name] = del;
        }

        del.Bind(1, key);
        del.Execute();
    }

    public override void Log(in LogEntry e)
    {
        // Positions follow SyncStore.ApplyLogSql: tbl, pk, seq, hlc, origin, via, scope, deleted, base_hlc, base_origin.
        _log.Bind(1, e.Table);
        _log.Bind(2, e.Key);
        _log.Bind(3, e.Seq);
        _log.Bind(4, e.Hlc);
        _log.Bind(5, e.Origin);
        _log.Bind(6, e.Via);
        _log.Bind(7, (object?)e.Scope);
        _log.Bind(8, e.Deleted ? 1L : 0L);
        _log.Bind(9, e.BaseHlc == 0 ? DBNull.Value : e.BaseHlc);
        _log.Bind(10, (object?)e.BaseOrigin);
        _log.Execute();
    }

    public override void Dispose()
    {
        foreach (var s in _upserts.Values)
        {
            s.Dispose();
        }

        foreach (var s in _deletes.Values)
        {
            s.Dispose();
        }

        _log.Dispose();
    }

    /// <summary>Binds a decoded row value; text and blobs straight from the received bytes.</summary>
    private static void BindValue(RawStatement statement, int index, in RowField v, ReadOnlySpan<byte> row)
    {
        switch (v.Kind)
        {
            case RowValueKind.Int:
                statement.Bind(index, v.Int);
                break;
            case RowValueKind.Text:
                statement.BindText(index, v.Bytes(row));
                break;
            case RowValueKind.Real:
                statement.Bind(index, v.Real);
                break;
            case RowValueKind.Blob:
                statement.BindBlob(index, v.Bytes(row));
                break;
            default:
                statement.BindNull(index);
                break;
        }
    }
}
