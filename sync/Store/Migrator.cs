using System.Data.Common;

namespace ServiceHall.Sync.Store;

/// <summary>
/// Applies versioned migrations per component (e.g. <c>sync</c>, <c>servicehall</c>).
/// Idempotent: a step already recorded is skipped. A store whose recorded version is higher
/// than the newest known step is refused with <see cref="StoreSchemaTooNewException"/> before
/// anything is written.
/// </summary>
public static class Migrator
{
    /// <summary>Table that records the version of each component.</summary>
    public const string VersionTable = "_schema_versions";

    /// <summary>Brings the component of <paramref name="set"/> up to its newest step for <paramref name="store"/>'s provider; returns the resulting version.</summary>
    public static int Apply(StoreProvider store, MigrationSet set, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(set);
        return Apply(store, set.Component, set.For(store.Name), clock);
    }

    /// <summary>Brings <paramref name="component"/> up to the newest of <paramref name="migrations"/> (written in the store's dialect); returns the resulting version.</summary>
    public static int Apply(StoreProvider store, string component, IReadOnlyList<Migration> migrations, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(store);
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations of '{component}' must be numbered 1..n without gaps; found {ordered[i].Version} at position {i + 1}.");
            }
        }

        var known = ordered.Count;
        store.WriteLock.Wait();
        try
        {
            using var conn = store.Open();
            // Read before writing anything: a newer store must stay byte-for-byte untouched.
            var current = ReadVersion(store.Dialect, conn, component);
            if (current > known)
            {
                throw new StoreSchemaTooNewException(component, current, known, store.Location);
            }

            store.PrepareForWrites();

            foreach (var m in ordered.Where(m => m.Version > current))
            {
                using var tx = conn.BeginTransaction();
                using (var cmd = conn.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = store.Dialect.CreateVersionTable(VersionTable);
                    cmd.ExecuteNonQuery();
                }

                using (var cmd = conn.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = m.Sql;
                    cmd.ExecuteNonQuery();
                }

                using (var cmd = conn.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = RecordVersionSql;
                    AddParameter(cmd, "@c", component);
                    AddParameter(cmd, "@v", m.Version);
                    AddParameter(cmd, "@n", m.Name);
                    AddParameter(cmd, "@t", clock.GetUtcNow().ToString("O"));
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
                current = m.Version;
            }

            return current;
        }
        finally
        {
            store.WriteLock.Release();
        }
    }

    /// <summary>Versions of every component recorded in the store (empty for a new store).</summary>
    public static IReadOnlyDictionary<string, int> ReadVersions(StoreProvider store)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var conn = store.Open();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!VersionTableExists(store.Dialect, conn))
        {
            return result;
        }

        using var cmd = conn.CreateCommand();
        cmd.CommandText = ReadVersionsSql;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            result[r.GetString(0)] = r.GetInt32(1);
        }

        return result;
    }

    /// <summary>Records a component's new version (portable SQL, inside the step's transaction).</summary>
    internal const string RecordVersionSql = $"DELETE FROM {VersionTable} WHERE component = @c; INSERT INTO {VersionTable} (component, version, name, applied_at) VALUES (@c, @v, @n, @t);";

    /// <summary>Reads every component's version (portable SQL).</summary>
    internal const string ReadVersionsSql = $"SELECT component, version FROM {VersionTable}";

    /// <summary>Reads one component's version (portable SQL).</summary>
    internal const string ReadVersionSql = $"SELECT version FROM {VersionTable} WHERE component = @c";

    /// <summary>Every statement the migrator itself issues in <paramref name="dialect"/> (the steps' own SQL aside).</summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return new[] { dialect.TableExists, dialect.CreateVersionTable(VersionTable), RecordVersionSql, ReadVersionsSql, ReadVersionSql }
            .Select(sql => new StoreStatement("migrator", sql));
    }

    /// <summary>The steps of <paramref name="set"/> for <paramref name="dialect"/>'s provider, as statements.</summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect, MigrationSet set)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(set);
        return set.For(dialect.Name).Select(m => new StoreStatement($"migration {set.Component} {m.Version} ({m.Name})", m.Sql));
    }

    private static int ReadVersion(SqlDialect dialect, DbConnection conn, string component)
    {
        if (!VersionTableExists(dialect, conn))
        {
            return 0;
        }

        using var cmd = conn.CreateCommand();
        cmd.CommandText = ReadVersionSql;
        AddParameter(cmd, "@c", component);
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? 0 : Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool VersionTableExists(SqlDialect dialect, DbConnection conn)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = dialect.TableExists;
        AddParameter(cmd, "@name", VersionTable);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
