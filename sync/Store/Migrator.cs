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

    /// <summary>Brings <paramref name="component"/> up to the newest of <paramref name="migrations"/>; returns the resulting version.</summary>
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
            var current = ReadVersion(conn, component);
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
                    cmd.CommandText = $"CREATE TABLE IF NOT EXISTS {VersionTable} (component TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);";
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
                    cmd.CommandText = $"DELETE FROM {VersionTable} WHERE component = @c; INSERT INTO {VersionTable} (component, version, name, applied_at) VALUES (@c, @v, @n, @t);";
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
        if (!VersionTableExists(conn))
        {
            return result;
        }

        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT component, version FROM {VersionTable}";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            result[r.GetString(0)] = r.GetInt32(1);
        }

        return result;
    }

    private static int ReadVersion(DbConnection conn, string component)
    {
        if (!VersionTableExists(conn))
        {
            return 0;
        }

        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT version FROM {VersionTable} WHERE component = @c";
        AddParameter(cmd, "@c", component);
        var v = cmd.ExecuteScalar();
        return v is null or DBNull ? 0 : Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool VersionTableExists(DbConnection conn)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{VersionTable}'";
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
