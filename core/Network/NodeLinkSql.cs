using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Network;

/// <summary>
/// Every statement of node link health, built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class NodeLinkSql : IDialectStatements<NodeLinkSql>
{
    private NodeLinkSql(SqlDialect d)
    {
        NodeLinks = "SELECT node_id, scope, parent_id, state, last_contact, offline_since, last_error, reported_at FROM node_links ORDER BY scope";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static NodeLinkSql For(SqlDialect dialect) => DialectStatements.For<NodeLinkSql>(dialect);

    /// <inheritdoc />
    static NodeLinkSql IDialectStatements<NodeLinkSql>.Build(SqlDialect dialect) => new(dialect);

    public string NodeLinks { get; }
}
