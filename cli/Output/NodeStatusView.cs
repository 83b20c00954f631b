using Google.Protobuf.WellKnownTypes;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>
/// What <c>node status --json</c> prints: the node's <see cref="NodeStatus"/> with level names instead of
/// enum numbers, timestamps as ISO 8601 (null when unset) and camelCase names.
/// </summary>
/// <param name="Id">Node id, e.g. "t01-v01".</param>
/// <param name="Level"><c>city</c>, <c>township</c> or <c>village</c>.</param>
/// <param name="Scope">Scope path, e.g. "city/t01/t01-v01"; empty before the first handshake.</param>
/// <param name="StoreProvider">Store provider, e.g. "sqlite".</param>
/// <param name="Store">Store location (SQLite file path or server/database).</param>
/// <param name="SchemaVersions">Schema version per store component.</param>
/// <param name="StartedAt">When the node process started (UTC).</param>
/// <param name="UptimeSeconds">Seconds since start.</param>
/// <param name="Pid">Process id of the node program.</param>
/// <param name="UpstreamUrl">Parent URL; empty at the city.</param>
/// <param name="Version">Software version of the node program.</param>
/// <param name="PendingUpstream">Local changes not yet acknowledged by the parent.</param>
/// <param name="Peers">Sync health per peer.</param>
/// <param name="Parked">Received changes that could not be applied, with their reasons (poison changes).</param>
internal sealed record NodeStatusView(
    string Id,
    string Level,
    string Scope,
    string StoreProvider,
    string Store,
    IReadOnlyDictionary<string, int> SchemaVersions,
    DateTimeOffset? StartedAt,
    double UptimeSeconds,
    int Pid,
    string UpstreamUrl,
    string Version,
    long PendingUpstream,
    IReadOnlyList<PeerStatusView> Peers,
    IReadOnlyList<ParkedChangeView> Parked)
{
    /// <summary>The view of a status message.</summary>
    public static NodeStatusView From(NodeStatus s) => new(
        s.NodeId,
        Levels.Name(s.Level),
        s.Scope,
        s.StoreProvider,
        s.Store,
        new SortedDictionary<string, int>(s.SchemaVersions, StringComparer.Ordinal),
        Time(s.StartedAt),
        s.UptimeSeconds,
        s.Pid,
        s.UpstreamUrl,
        s.Version,
        s.PendingUpstream,
        s.Peers.Select(PeerStatusView.From).ToList(),
        s.Parked.Select(p => new ParkedChangeView(p.Table, p.Key, p.Origin, p.Via, p.Reason, Time(p.ParkedAt), p.Attempts)).ToList());

    /// <summary>A protobuf timestamp as a UTC offset time, or null when unset.</summary>
    internal static DateTimeOffset? Time(Timestamp? t) => t is null ? null : t.ToDateTimeOffset();
}

/// <summary>Sync health of one peer as the node sees it (see <see cref="PeerStatus"/>).</summary>
/// <param name="PeerId">Peer node id.</param>
/// <param name="Relation"><c>parent</c> or <c>child</c>.</param>
/// <param name="State"><c>online</c>, <c>offline</c> or <c>never</c>.</param>
/// <param name="Scope">Scope path of the peer, if known.</param>
/// <param name="LastSuccess">Last successful sync; null if none.</param>
/// <param name="LastAttempt">Last attempt; null if none.</param>
/// <param name="OfflineSince">First failure after the last success; null when online.</param>
/// <param name="PushCursor">Highest local sequence acknowledged by the parent.</param>
/// <param name="PullCursor">Highest parent sequence applied here.</param>
/// <param name="Pending">Local changes waiting for this peer.</param>
/// <param name="LastError">Last error; empty if the last attempt succeeded.</param>
internal sealed record PeerStatusView(
    string PeerId,
    string Relation,
    string State,
    string Scope,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastAttempt,
    DateTimeOffset? OfflineSince,
    long PushCursor,
    long PullCursor,
    long Pending,
    string LastError)
{
    /// <summary>The view of a peer message.</summary>
    public static PeerStatusView From(PeerStatus p) => new(
        p.PeerId,
        p.Relation,
        p.State,
        p.Scope,
        NodeStatusView.Time(p.LastSuccess),
        NodeStatusView.Time(p.LastAttempt),
        NodeStatusView.Time(p.OfflineSince),
        p.PushCursor,
        p.PullCursor,
        p.Pending,
        p.LastError);
}

/// <summary>A poison change as <c>node status --json</c> shows it (see <see cref="ParkedChange"/>).</summary>
/// <param name="Table">Table.</param>
/// <param name="Key">Row key.</param>
/// <param name="Origin">Node that wrote it.</param>
/// <param name="Via">Peer it came from.</param>
/// <param name="Reason">Why it could not be applied.</param>
/// <param name="ParkedAt">First failure.</param>
/// <param name="Attempts">Attempts so far.</param>
internal sealed record ParkedChangeView(string Table, string Key, string Origin, string Via, string Reason, DateTimeOffset? ParkedAt, int Attempts);
