using Google.Protobuf.WellKnownTypes;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Network;

/// <summary>
/// Sync health of every registered node below this one: the registry says which nodes exist, the synced
/// <c>node_links</c> rows say how each one's parent last saw it. A registered node with no row has never synced.
/// </summary>
public sealed class NodeHealthView(CatalogueRepository catalogue, NodeLinkRepository links, SyncStore store, NodeIdentity identity)
{
    /// <summary>One entry per registered node inside this node's scope (itself excluded), ordered by scope.</summary>
    public IReadOnlyList<P.NodeSyncHealth> Read()
    {
        var scope = store.NodeScope;
        if (scope is null)
        {
            return [];
        }

        var reported = links.All().ToDictionary(l => l.NodeId, StringComparer.Ordinal);
        var result = new List<P.NodeSyncHealth>();
        foreach (var node in catalogue.ListNodes().OrderBy(n => n.Scope, StringComparer.Ordinal))
        {
            if (node.Id == identity.NodeId || !Scope.Contains(scope, node.Scope))
            {
                continue;
            }

            var health = new P.NodeSyncHealth
            {
                NodeId = node.Id,
                ParentId = node.ParentId ?? "",
                Scope = node.Scope,
                Level = NodeLevels.Name(node.Level),
                State = "never",
            };
            if (reported.TryGetValue(node.Id, out var link))
            {
                health.State = link.State;
                health.LastError = link.LastError ?? "";
                if (link.LastContact is { } c)
                {
                    health.LastSync = Timestamp.FromDateTimeOffset(c);
                }

                if (link.OfflineSince is { } o)
                {
                    health.OfflineSince = Timestamp.FromDateTimeOffset(o);
                }
            }

            result.Add(health);
        }

        return result;
    }
}
