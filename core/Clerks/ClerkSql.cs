using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// Every statement of the clerk registry, built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class ClerkSql : IDialectStatements<ClerkSql>
{
    private ClerkSql(SqlDialect d)
    {
        const string clerkColumns = "id, node_id, scope, department, role, name, disabled, secret_salt, secret_hash, secret_iterations, updated_at";
        ClerksAll = $"SELECT {clerkColumns} FROM clerks ORDER BY scope, id";
        ClerkById = $"SELECT {clerkColumns} FROM clerks WHERE id = @id";
        ClerkCount = "SELECT COUNT(*) FROM clerks";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static ClerkSql For(SqlDialect dialect) => DialectStatements.For<ClerkSql>(dialect);

    /// <inheritdoc />
    static ClerkSql IDialectStatements<ClerkSql>.Build(SqlDialect dialect) => new(dialect);

    /// <summary>Clerks, columns as <c>ClerkRegistry</c> reads them.</summary>
    public string ClerksAll { get; }

    public string ClerkById { get; }

    public string ClerkCount { get; }
}
