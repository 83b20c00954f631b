using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Network;
using ServiceHall.Core.Security;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Hosting;

/// <summary>The synced tables of a ServiceHall store, as every node and its peers must agree on them, and the statements the domain sends.</summary>
public static class ServiceHallSchema
{
    /// <summary>Version of the synced table shapes; raise it whenever a synced table gains or loses a column.</summary>
    public const int Version = 4;

    /// <summary>Creates the schema: the catalogue tables, the node revocation list, the case tables, node link health, then clerks (apply order).</summary>
    public static SyncSchema Create() => new(Version, [.. CatalogueTables.All, SecurityStore.Revocations, .. CaseTables.All, NodeLinkRepository.SyncTable, ClerkRegistry.SyncTable]);

    /// <summary>
    /// Every statement the modules of the <c>servicehall</c> component send, in <paramref name="dialect"/> (each module's own
    /// statements, the statistics' portable SQL, the health probe); the security component lists its own.
    /// </summary>
    public static IEnumerable<StoreStatement> Statements(SqlDialect dialect) =>
    [
        .. CatalogueSql.Statements(dialect),
        .. DialectStatements.Listed<CaseSql>(dialect),
        .. DialectStatements.Listed<ClerkSql>(dialect),
        .. DialectStatements.Listed<NodeLinkSql>(dialect),
        new("domain HealthProbe", NodeStoreInitializer.HealthProbe),
        // Portable SQL of the domain that a SQL Server store will run as written.
        .. CaseStatisticsSql.Statements.Select(s => new StoreStatement("statistics " + s.Name, s.Sql)),
    ];
}
