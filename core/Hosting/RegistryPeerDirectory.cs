using ServiceHall.Core.Catalogue;
using ServiceHall.Sync;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// The sync engine's view of which nodes may sync with this one: the direct children of this node in
/// the synced node registry (registered at the city, flowed down with the catalogue). A node that is
/// unknown here, or registered under another parent, is refused at the handshake.
/// </summary>
public sealed class RegistryPeerDirectory(CatalogueRepository catalogue, NodeIdentity identity) : ISyncPeerDirectory
{
    /// <inheritdoc />
    public SyncPeer? FindChild(string nodeId)
    {
        if (!CatalogueRepository.IsValidNodeId(nodeId))
        {
            return null;
        }

        var node = catalogue.GetNode(nodeId);
        return node is not null && string.Equals(node.ParentId, identity.NodeId, StringComparison.Ordinal)
            ? new SyncPeer(node.Id, (int)node.Level, node.Scope)
            : null;
    }
}
