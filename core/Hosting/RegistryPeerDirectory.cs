using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Security;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// The sync engine's view of which nodes may sync with this one: the direct children of this node in
/// the synced node registry (registered at the city, flowed down with the catalogue), flagged revoked if the
/// synced revocation list names them. A node that is unknown here, or registered under another parent, is
/// refused at every call; so is a revoked one.
/// </summary>
public sealed class RegistryPeerDirectory(CatalogueRepository catalogue, SecurityStore security, NodeIdentity identity) : ISyncPeerDirectory
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
            ? new SyncPeer(node.Id, (int)node.Level, node.Scope, Revoked: security.GetRevocation(nodeId) is not null)
            : null;
    }

    /// <inheritdoc />
    public string? ScopeOf(string nodeId) =>
        CatalogueRepository.IsValidNodeId(nodeId) ? catalogue.GetNode(nodeId)?.Scope : null;
}
