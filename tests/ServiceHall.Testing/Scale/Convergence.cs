using Microsoft.Data.Sqlite;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Testing.Scale;

/// <summary>What every node holds against what it is entitled to, read straight from the SQLite files.</summary>
/// <param name="Cases">Cases at the city.</param>
/// <param name="Events">Case events at the city.</param>
/// <param name="Missing">Case or event rows a node is entitled to (its scope holds them, per the city) but lacks.</param>
/// <param name="Extra">Rows a node holds outside its scope, or the city does not hold.</param>
/// <param name="Diverged">Cases whose derived status at a node differs from the city's.</param>
/// <param name="Lost">Cases the workload took (answered) that the city does not hold.</param>
internal sealed record ConvergenceReport(int Cases, int Events, int Missing, int Extra, int Diverged, int Lost)
{
    /// <summary>Everything everywhere as it should be.</summary>
    public bool Converged => Missing == 0 && Extra == 0 && Diverged == 0 && Lost == 0;
}

/// <summary>Checks convergence of the whole network with the city's store as the reference (it holds every case).</summary>
internal static class Convergence
{
    /// <summary>Compares every node's cases, events and derived status with the city's, by scope.</summary>
    public static ConvergenceReport Check(ScaleNode city, IReadOnlyList<ScaleNode> others, IEnumerable<string> taken)
    {
        var reference = Read(city.StorePath);
        int missing = 0, extra = 0, diverged = 0;
        foreach (var node in others)
        {
            var held = Read(node.StorePath);
            foreach (var (key, scope) in reference.Rows)
            {
                var entitled = Scope.Contains(node.Scope, scope);
                var has = held.Rows.ContainsKey(key);
                missing += entitled && !has ? 1 : 0;
            }

            foreach (var (key, scope) in held.Rows)
            {
                extra += !reference.Rows.ContainsKey(key) || !Scope.Contains(node.Scope, scope) ? 1 : 0;
            }

            foreach (var (number, status) in held.Status)
            {
                diverged += reference.Status.TryGetValue(number, out var s) && s != status ? 1 : 0;
            }
        }

        var lost = taken.Count(n => !reference.Rows.ContainsKey("case:" + n));
        return new ConvergenceReport(reference.Rows.Keys.Count(k => k.StartsWith("case:", StringComparison.Ordinal)),
            reference.Rows.Keys.Count(k => k.StartsWith("event:", StringComparison.Ordinal)), missing, extra, diverged, lost);
    }

    /// <summary>Items in a node's catalogue (0 until it has pulled the catalogue).</summary>
    public static long CatalogueItems(ScaleNode node)
    {
        using var conn = OpenReadOnly(node.StorePath);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM items";
        return (long)cmd.ExecuteScalar()!;
    }

    private static (Dictionary<string, string> Rows, Dictionary<string, string> Status) Read(string path)
    {
        using var conn = OpenReadOnly(path);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        using var tx = conn.BeginTransaction(deferred: true); // one snapshot
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT 'case:' || number, scope FROM cases UNION ALL SELECT 'event:' || id, scope FROM case_events";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows[r.GetString(0)] = r.GetString(1);
            }
        }

        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT number, status FROM case_view";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                status[r.GetString(0)] = r.GetString(1);
            }
        }

        return (rows, status);
    }

    private static SqliteConnection OpenReadOnly(string path)
    {
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        conn.Open();
        return conn;
    }
}
