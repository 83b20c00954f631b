using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Network;
using ServiceHall.Core.Security;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Store;

/// <summary>The synced tables of a ServiceHall store, as every node and its peers must agree on them.</summary>
public static class ServiceHallSchema
{
    /// <summary>Version of the synced table shapes; raise it whenever a synced table gains or loses a column.</summary>
    public const int Version = 4;

    /// <summary>Creates the schema: the catalogue tables, the node revocation list, the case tables, node link health, then clerks (apply order).</summary>
    public static SyncSchema Create() => new(Version, [.. CatalogueTables.All, SecurityStore.Revocations, .. CaseTables.All, NodeLinkRepository.SyncTable, ClerkRegistry.SyncTable]);
}
