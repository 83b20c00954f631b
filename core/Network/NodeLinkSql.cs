using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Network;

/// <summary>
/// Every statement of node link health, built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class NodeLinkSql
{
    private NodeLinkSql(SqlDialect d)
    {
        NodeLinks = "SELECT node_id, scope, parent_id, state, last_contact, offline_since, last_error, reported_at FROM node_links ORDER BY scope";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static NodeLinkSql For(SqlDialect dialect) => DialectStatements.For(dialect, d => new NodeLinkSql(d));

    /// <summary>Every statement in <paramref name="dialect"/>, named <c>domain &lt;name&gt;</c> (for the parser test).</summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect) => DialectStatements.Listed(For(dialect));

    public string NodeLinks { get; }
}
