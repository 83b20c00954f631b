using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Network;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>
/// The dashboard: the statistics of the cases this node holds (at the city: all) by township, item and department, as tables
/// and SVG charts, for a clerk who may read them (<see cref="ClerkPermissions.ReadStatistics"/>); and the sync health of every
/// node below, as a table and a map, for one who may also operate the node (<see cref="ClerkPermissions.Operate"/>).
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder clerks) => clerks.MapGet("/Dashboard", Dashboard);

    private static IResult Dashboard(HttpContext http, CaseRepository cases, NodeHealthView health, SyncStatusReader sync, TimeProvider time)
    {
        var desk = Desk.For(http);
        var clerk = desk.SignedIn;
        if (RefusalPage.Unless(desk, desk.T["Dashboard"], "The dashboard is for managers, operators and administrators of this node.", ClerkPermissions.ReadStatistics(clerk, desk.Node)) is { } refused)
        {
            return refused;
        }

        var computedAt = time.GetUtcNow();
        var report = cases.Statistics();
        var nodes = ClerkPermissions.Operate(clerk, desk.Node) is null ? Health(desk.Node, health, sync) : [];
        return Desk.Page<Slices.Dashboard, DashboardView>(new(desk, report, nodes, computedAt));
    }

    /// <summary>This node (its link to its parent) and every node its store knows the link of.</summary>
    private static List<NodeHealthRow> Health(NodeIdentity node, NodeHealthView health, SyncStatusReader sync)
    {
        var peers = sync.Read().ToDictionary(p => p.PeerId, StringComparer.Ordinal);
        var parent = peers.Values.FirstOrDefault(p => p.Relation == "parent");
        var rows = new List<NodeHealthRow>
        {
            new(node.NodeId, null, NodeLevels.Name(node.Level), "self", parent?.LastSuccess, parent?.OfflineSince, parent is null ? null : sync.PendingUpstream(), parent?.LastError),
        };
        foreach (var n in health.Read())
        {
            rows.Add(new NodeHealthRow(
                n.NodeId,
                n.ParentId,
                n.Level,
                n.State,
                n.LastSync?.ToDateTimeOffset(),
                n.OfflineSince?.ToDateTimeOffset(),
                peers.TryGetValue(n.NodeId, out var p) && p.Relation == "child" ? p.Pending : null,
                string.IsNullOrEmpty(n.LastError) ? null : n.LastError));
        }

        return rows;
    }
}
