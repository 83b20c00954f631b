using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// Every statement of the clerk registry, built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class ClerkSql
{
    private ClerkSql(SqlDialect d)
    {
        const string clerkColumns = "id, node_id, scope, department, role, name, disabled, secret_salt, secret_hash, secret_iterations, updated_at";
        ClerksAll = $"SELECT {clerkColumns} FROM clerks ORDER BY scope, id";
        ClerkById = $"SELECT {clerkColumns} FROM clerks WHERE id = @id";
        ClerkCount = "SELECT COUNT(*) FROM clerks";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static ClerkSql For(SqlDialect dialect) => DialectStatements.For(dialect, d => new ClerkSql(d));

    /// <summary>Every statement in <paramref name="dialect"/>, named <c>domain &lt;name&gt;</c> (for the parser test).</summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect) => DialectStatements.Listed(For(dialect));

    /// <summary>Clerks, columns as <c>ClerkRegistry</c> reads them.</summary>
    public string ClerksAll { get; }

    public string ClerkById { get; }

    public string ClerkCount { get; }
}
