using System.Globalization;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>
/// What <c>stats --json</c> prints: the node's <see cref="StatisticsReply"/> (all cases at the city, the subtree's at a
/// township) as camelCase rows, plus the sync health of the node's peers from its status.
/// </summary>
/// <param name="Node">Id of the node the figures come from.</param>
/// <param name="ComputedAt">When the node computed the figures.</param>
/// <param name="Total">All cases.</param>
/// <param name="ByTownship">By township of intake (<c>city</c> for cases taken at the city).</param>
/// <param name="ByItem">By item code.</param>
/// <param name="ByDepartment">By department: cases it leads or reviews.</param>
/// <param name="Sync">Last sync of every peer of the node (at the city: every township).</param>
/// <param name="Nodes">Sync health of every registered node below this one, as each node's parent reported it (at the city: every township and village).</param>
internal sealed record StatisticsView(
    string Node,
    DateTimeOffset? ComputedAt,
    StatisticsRowView Total,
    IReadOnlyList<StatisticsRowView> ByTownship,
    IReadOnlyList<StatisticsRowView> ByItem,
    IReadOnlyList<StatisticsRowView> ByDepartment,
    IReadOnlyList<PeerSyncView> Sync,
    IReadOnlyList<NodeHealthRowView> Nodes)
{
    /// <summary>The view of a statistics reply and the status of the node that gave it.</summary>
    public static StatisticsView From(StatisticsReply s, NodeStatus status)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(status);
        return new StatisticsView(
            status.NodeId,
            NodeStatusView.Time(s.ComputedAt),
            StatisticsRowView.From(s.Total ?? new StatisticsRow { Key = "total" }),
            s.ByTownship.Select(StatisticsRowView.From).ToList(),
            s.ByItem.Select(StatisticsRowView.From).ToList(),
            s.ByDepartment.Select(StatisticsRowView.From).ToList(),
            status.Peers.Select(PeerSyncView.From).ToList(),
            s.Nodes.Select(NodeHealthRowView.From).ToList());
    }
}

/// <summary>One registered node's link to its parent (see <see cref="NodeSyncHealth"/>).</summary>
/// <param name="NodeId">Node id.</param>
/// <param name="ParentId">Its parent.</param>
/// <param name="Level"><c>township</c> or <c>village</c>.</param>
/// <param name="State"><c>online</c>, <c>offline</c> or <c>never</c>.</param>
/// <param name="LastSync">Last successful sync its parent saw; null if never.</param>
/// <param name="OfflineSince">Since when it has been unreachable; null while online.</param>
/// <param name="LastError">Last error its parent saw; null if none.</param>
internal sealed record NodeHealthRowView(string NodeId, string ParentId, string Level, string State, DateTimeOffset? LastSync, DateTimeOffset? OfflineSince, string? LastError)
{
    /// <summary>The view of one node's health.</summary>
    public static NodeHealthRowView From(NodeSyncHealth n) => new(
        n.NodeId,
        n.ParentId,
        n.Level,
        n.State,
        NodeStatusView.Time(n.LastSync),
        NodeStatusView.Time(n.OfflineSince),
        string.IsNullOrEmpty(n.LastError) ? null : n.LastError);
}

/// <summary>Counts and rates of one group of cases (see <see cref="StatisticsRow"/>); shares are 0–1.</summary>
/// <param name="Key">Township node id, item code, department code, or <c>total</c>.</param>
/// <param name="Cases">Cases in the group.</param>
/// <param name="Accepted">Cases accepted, withdrawn ones excluded.</param>
/// <param name="Decided">Cases decided.</param>
/// <param name="OnTheSpotShare">Share of decided cases decided on the day of acceptance.</param>
/// <param name="WithinThreeWorkingDaysShare">Share of decided cases decided within 3 working days.</param>
/// <param name="OnTimeRate">Share of accepted cases that are on time.</param>
/// <param name="Overdue">Cases overdue (open past due, or decided late).</param>
/// <param name="NearDue">Open cases with one working day or less left.</param>
/// <param name="AverageRating">Average rating 1–5 of rated cases; null if none is rated.</param>
/// <param name="Rated">Cases rated.</param>
/// <param name="Reviews">Department rows: opinions required of the department (0 elsewhere).</param>
/// <param name="ReviewsOverdue">Department rows: opinions missing past their limit on open cases.</param>
/// <param name="ReviewsAnsweredLate">Department rows: opinions given after their limit.</param>
/// <param name="ReviewsNearDue">Department rows: opinions not given with one working day or less left.</param>
/// <param name="Conflicts">Cases whose history holds an unmerged conflict.</param>
internal sealed record StatisticsRowView(
    string Key,
    int Cases,
    int Accepted,
    int Decided,
    double OnTheSpotShare,
    double WithinThreeWorkingDaysShare,
    double OnTimeRate,
    int Overdue,
    int NearDue,
    double? AverageRating,
    int Rated,
    int Reviews,
    int ReviewsOverdue,
    int ReviewsAnsweredLate,
    int ReviewsNearDue,
    int Conflicts)
{
    /// <summary>The view of a statistics row.</summary>
    public static StatisticsRowView From(StatisticsRow r) => new(
        r.Key,
        r.Cases,
        r.Accepted,
        r.Decided,
        r.OnTheSpotShare,
        r.WithinThreeWorkingDaysShare,
        r.OnTimeRate,
        r.Overdue,
        r.NearDue,
        r.Rated > 0 ? r.AverageRating : null,
        r.Rated,
        r.Reviews,
        r.ReviewsOverdue,
        r.ReviewsAnsweredLate,
        r.ReviewsNearDue,
        r.Conflicts);

    /// <summary>A share as a percentage for a table cell ("-" when nothing was counted).</summary>
    public static string Percent(double share, int whole) =>
        whole == 0 ? "-" : (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>An average rating for a table cell ("-" when none).</summary>
    public static string Rating(double? rating, int rated) =>
        rating is null ? "-" : $"{rating.Value.ToString("0.00", CultureInfo.InvariantCulture)} ({rated.ToString(CultureInfo.InvariantCulture)})";
}

/// <summary>Last sync of one peer of the node that gave the figures.</summary>
/// <param name="PeerId">Peer node id.</param>
/// <param name="Relation"><c>parent</c> or <c>child</c>.</param>
/// <param name="State"><c>online</c>, <c>offline</c> or <c>never</c>.</param>
/// <param name="LastSuccess">Last successful sync; null if none.</param>
/// <param name="OfflineSince">First failure after the last success; null when online.</param>
/// <param name="Pending">Changes waiting for this peer.</param>
internal sealed record PeerSyncView(string PeerId, string Relation, string State, DateTimeOffset? LastSuccess, DateTimeOffset? OfflineSince, long Pending)
{
    /// <summary>The view of a peer's status.</summary>
    public static PeerSyncView From(PeerStatus p) =>
        new(p.PeerId, p.Relation, p.State, NodeStatusView.Time(p.LastSuccess), NodeStatusView.Time(p.OfflineSince), p.Pending);
}
