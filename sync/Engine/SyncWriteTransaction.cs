using System.Data.Common;
using ServiceHall.Sync.Store;

namespace ServiceHall.Sync.Engine;

/// <summary>
/// One local write transaction. Each <see cref="Upsert(string, IReadOnlyList{object})"/> or
/// <see cref="Delete"/> writes the row and its change-log entry (fresh HLC version, origin =
/// this node, next sequence number) in the same transaction, on any store provider.
/// Use <see cref="Connection"/> and <see cref="Transaction"/> for reads, and for writes to
/// tables that are not synced.
/// </summary>
public sealed class SyncWriteTransaction : IDisposable
{
    private readonly SyncStore _engine;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbCommand? _log;
    private long _seq;
    private bool _done;

    internal SyncWriteTransaction(SyncStore engine, DbConnection conn, DbTransaction tx)
    {
        _engine = engine;
        Connection = conn;
        Transaction = tx;
        _seq = engine.MaxSeq(conn, tx);
    }

    /// <summary>The open connection (inside the write lock); commands on it must use <see cref="Transaction"/>.</summary>
    public DbConnection Connection { get; }

    /// <summary>The open transaction.</summary>
    public DbTransaction Transaction { get; }

    /// <summary>The store's dialect, for statements of the caller that differ between providers.</summary>
    public SqlDialect Dialect => _engine.Store.Dialect;

    /// <summary>A command in this transaction.</summary>
    public DbCommand Command(string sql) => Connection.Command(sql, Transaction);

    /// <summary>Number of rows written so far.</summary>
    public int Changes { get; private set; }

    /// <summary>Inserts or replaces a whole row; <paramref name="values"/> follow the table's declared column order.</summary>
    public void Upsert(string table, IReadOnlyList<object?> values)
    {
        var sql = _engine.SqlFor(table);
        var t = sql.Table;
        if (values.Count != t.Columns.Count)
        {
            throw new ArgumentException($"Table '{table}' has {t.Columns.Count} columns; {values.Count} values were given.", nameof(values));
        }

        var key = values[t.KeyIndex] as string
            ?? throw new ArgumentException($"Key column '{t.KeyColumn}' of '{table}' must be non-null text.", nameof(values));
        var scope = t.ScopeIndex < 0 ? null : values[t.ScopeIndex] as string;
        if (t.ScopeIndex >= 0 && string.IsNullOrEmpty(scope))
        {
            throw new ArgumentException($"Scope column '{t.ScopeColumn}' of '{table}' must hold a scope path.", nameof(values));
        }

        // A node writes only inside its own subtree: its parent would refuse the push (and block the outbox).
        if (scope is not null && _engine.NodeScope is { } own && !Scope.Contains(own, scope))
        {
            throw new ArgumentException($"Row '{key}' of '{table}' has scope '{scope}', outside this node's scope '{own}'.", nameof(values));
        }

        var cmd = Command("u:" + table, sql.Upsert, t.Columns.Count);
        for (var i = 0; i < values.Count; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        cmd.ExecuteNonQuery();
        Log(table, key, scope, deleted: false);
    }

    /// <summary>Inserts or replaces a whole row given by column name; every declared column must be present.</summary>
    public void Upsert(string table, IReadOnlyDictionary<string, object?> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var t = _engine.SqlFor(table).Table;
        var values = new object?[t.Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!row.TryGetValue(t.Columns[i], out values[i]))
            {
                throw new ArgumentException($"Row for '{table}' lacks column '{t.Columns[i]}'.", nameof(row));
            }
        }

        Upsert(table, values);
    }

    /// <summary>
    /// Deletes a row and records a tombstone that propagates under the row's last scope. Returns false, and records
    /// nothing, if this node has never held the row (there is no scope to send a tombstone under).
    /// </summary>
    public bool Delete(string table, string key)
    {
        var sql = _engine.SqlFor(table);
        var t = sql.Table;
        string? scope = null;
        var known = false;
        using (var find = Command(_engine.Sql.LogEntryOf).With("@t", table).With("@k", key))
        {
            using var r = find.ExecuteReader();
            if (r.Read())
            {
                known = true;
                scope = r.IsDBNull(0) ? null : r.GetString(0);
            }
        }

        if (!known && t.ScopeIndex >= 0)
        {
            // A row written before change tracking: take its scope from the row itself.
            using var find = Command(sql.SelectByKey).With("@p0", key);
            using var r = find.ExecuteReader();
            if (r.Read())
            {
                known = true;
                scope = r.IsDBNull(t.ScopeIndex) ? null : r.GetString(t.ScopeIndex);
            }
        }

        if (!known && t.ScopeIndex >= 0)
        {
            return false;
        }

        var cmd = Command("d:" + table, sql.Delete, 1);
        cmd.Parameters[0].Value = key;
        cmd.ExecuteNonQuery();
        Log(table, key, scope, deleted: true);
        return true;
    }

    /// <summary>Commits the rows and their change-log entries together.</summary>
    public void Commit()
    {
        Transaction.Commit();
        Finish(committed: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_done)
        {
            try
            {
                Transaction.Rollback();
            }
            finally
            {
                Finish(committed: false);
            }
        }
    }

    private void Finish(bool committed)
    {
        if (_done)
        {
            return;
        }

        _done = true;
        foreach (var c in _commands.Values)
        {
            c.Dispose();
        }

        _log?.Dispose();
        Transaction.Dispose();
        Connection.Dispose();
        _engine.OnWriteFinished(committed && Changes > 0);
    }

    private void Log(string table, string key, string? scope, bool deleted)
    {
        if (_log is null)
        {
            _log = Command(_engine.Sql.UpsertLog).WithParameters("@tbl", "@pk", "@seq", "@hlc", "@origin", "@via", "@scope", "@deleted");
        }

        _log.Parameters["@tbl"].Value = table;
        _log.Parameters["@pk"].Value = key;
        _log.Parameters["@seq"].Value = ++_seq;
        _log.Parameters["@hlc"].Value = _engine.Clock.Next();
        _log.Parameters["@origin"].Value = _engine.NodeId;
        _log.Parameters["@via"].Value = DBNull.Value;
        _log.Parameters["@scope"].Value = (object?)scope ?? DBNull.Value;
        _log.Parameters["@deleted"].Value = deleted ? 1L : 0L;
        _log.ExecuteNonQuery();
        Changes++;
    }

    private DbCommand Command(string name, string text, int parameters)
    {
        if (!_commands.TryGetValue(name, out var cmd))
        {
            cmd = Command(text).WithParameters([.. SqlDialect.PositionalParameters(parameters)]);

            _commands[name] = cmd;
        }

        return cmd;
    }
}
