using ServiceHall.Core.Cases;

namespace ServiceHall.Web.Views;

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
