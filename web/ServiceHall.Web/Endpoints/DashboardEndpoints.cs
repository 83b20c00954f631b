using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Network;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;

namespace ServiceHall.Web.Endpoints;

/// <summary>One node's row of the sync-health table.</summary>
/// <param name="NodeId">Node id.</param>
/// <param name="ParentId">Its parent, or null for this node.</param>
/// <param name="Level">Level name.</param>
/// <param name="State"><c>online</c>, <c>offline</c>, <c>never</c>; <c>self</c> for this node.</param>
/// <param name="LastSync">Last successful sync its parent saw.</param>
/// <param name="OfflineSince">Since when it has been unreachable.</param>
/// <param name="Pending">Changes waiting on the link: this node's outbox to its parent, or what a direct child has not pulled yet; null where this node cannot know (grandchildren).</param>
/// <param name="LastError">Last error its parent saw.</param>
public sealed record NodeHealthRow(string NodeId, string? ParentId, string Level, string State, DateTimeOffset? LastSync, DateTimeOffset? OfflineSince, long? Pending, string? LastError);

/// <summary>The dashboard's model.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Report">The statistics of the cases this node holds.</param>
/// <param name="Nodes">Sync health of this node and every node below; empty for a clerk who may not operate the node.</param>
/// <param name="ComputedAt">When the figures were computed.</param>
public sealed record DashboardView(Desk Desk, CaseStatisticsReport Report, IReadOnlyList<NodeHealthRow> Nodes, DateTimeOffset ComputedAt);

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
        if (RefusedView.Unless(desk, desk.T["Dashboard"], "The dashboard is for managers, operators and administrators of this node.", ClerkPermissions.ReadStatistics(clerk, desk.Node)) is { } refused)
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
