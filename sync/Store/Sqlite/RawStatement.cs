using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ServiceHall.Sync.Store.Sqlite;

/// <summary>
/// A prepared SQLite statement bound by position through SQLitePCLRaw, on the connection (and so inside the
/// transaction) of a <see cref="SqliteConnection"/>. The apply loop runs two statements per received change;
/// Microsoft.Data.Sqlite looks every parameter up by name and builds a data reader on each execution, which
/// cost more than the writes themselves. Errors surface as <see cref="SqliteException"/> like any other.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly SqliteConnection _conn;
    private readonly sqlite3_stmt _stmt;
    private byte[] _utf8 = new byte[256];

    public RawStatement(SqliteConnection conn, string sql)
    {
        _conn = conn;
        Check(raw.sqlite3_prepare_v2(conn.Handle!, sql, out _stmt));
    }

    /// <summary>Binds a value to the 1-based parameter <paramref name="index"/> (null or <see cref="DBNull"/> = NULL).</summary>
    public void Bind(int index, object? value)
    {
        if (value is string text)
        {
            Bind(index, text);
            return;
        }

        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_stmt, index),
            long l => raw.sqlite3_bind_int64(_stmt, index, l),
            int i => raw.sqlite3_bind_int64(_stmt, index, i),
            double d => raw.sqlite3_bind_double(_stmt, index, d),
            byte[] b => raw.sqlite3_bind_blob(_stmt, index, b),
            bool b => raw.sqlite3_bind_int64(_stmt, index, b ? 1 : 0),
            _ => throw new ArgumentException($"Cannot bind a value of type {value.GetType().Name}.", nameof(value)),
        };
        Check(rc);
    }

    /// <summary>
    /// Binds a string to a 1-based parameter, encoded into a buffer this statement reuses (SQLite copies bound
    /// text), instead of the new UTF-8 array per call that SQLitePCLRaw's string overload makes.
    /// </summary>
    public void Bind(int index, string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_utf8.Length < max)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }

        var n = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_stmt, index, _utf8.AsSpan(0, n)));
    }

    /// <summary>Binds an integer to a 1-based parameter.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

    /// <summary>Binds UTF-8 text to a 1-based parameter, without going through a string.</summary>
    public void BindText(int index, ReadOnlySpan<byte> utf8) => Check(raw.sqlite3_bind_text(_stmt, index, utf8));

    /// <summary>Binds a blob to a 1-based parameter.</summary>
    public void BindBlob(int index, ReadOnlySpan<byte> bytes) => Check(raw.sqlite3_bind_blob(_stmt, index, bytes));

    /// <summary>Binds a double to a 1-based parameter.</summary>
    public void Bind(int index, double value) => Check(raw.sqlite3_bind_double(_stmt, index, value));

    /// <summary>Binds NULL to a 1-based parameter.</summary>
    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_stmt, index));

    /// <summary>Steps a query: true while it yields a row (read it with the column accessors), false when done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc != raw.SQLITE_DONE)
        {
            Throw(rc);
        }

        return false;
    }

    /// <summary>Resets a query for the next bindings.</summary>
    public void Reset() => raw.sqlite3_reset(_stmt);

    /// <summary>SQLite storage class of a 0-based column of the current row (<c>raw.SQLITE_INTEGER</c>, …).</summary>
    public int ColumnType(int column) => raw.sqlite3_column_type(_stmt, column);

    /// <summary>A 0-based column of the current row as an integer.</summary>
    public long ColumnInt64(int column) => raw.sqlite3_column_int64(_stmt, column);

    /// <summary>A 0-based column of the current row as a double.</summary>
    public double ColumnDouble(int column) => raw.sqlite3_column_double(_stmt, column);

    /// <summary>A 0-based column's bytes (UTF-8 for text), valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> ColumnBytes(int column) => raw.sqlite3_column_blob(_stmt, column);

    /// <summary>Runs the statement to completion and resets it for the next bindings.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            Throw(rc);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stmt.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            Throw(rc);
        }
    }

    private void Throw(int rc)
    {
        var db = _conn.Handle!;
        throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(db));
    }
}
