using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>Settings of the sync engine, bound from configuration section <c>Sync</c>.</summary>
public sealed class SyncOptions
{
    /// <summary>URL of the parent node (e.g. <c>http://city:5000</c>); null or empty at the root. Default: null.</summary>
    public string? ParentUrl { get; set; }

    /// <summary>This node's level, sent in the handshake. Default: <see cref="NodeLevel.Unspecified"/> (the host must set it on non-root nodes).</summary>
    public NodeLevel Level { get; set; }

    /// <summary>Time between periodic rounds with the parent. Default: 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Delay after a local write (or a child's push, to relay it) before a round starts, so a burst of writes goes up in one
    /// round. It adds to every upward hop's latency, so it is short: at the year's peak a station files a case every few
    /// minutes, and a clerk's burst (submit, accept, decide) comes within a fraction of a second. Default: 200 ms.
    /// </summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Parent side: delay between a commit and the notice to watching children, so that a burst of commits (a parallel
    /// review's opinions and its decision) becomes one notice and one round at each child. Default: 100 ms.
    /// </summary>
    public TimeSpan NoticeDebounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Child side: keep a notice stream (<c>Watch</c>) open to the parent and run a round as soon as it reports changes.
    /// Default: true. Tables declared with <see cref="SyncTable.Notify"/> false (link-health rows a parent writes as its
    /// children sync) do not raise notices, so a contact cannot cause the next one.
    /// </summary>
    public bool Watch { get; set; } = true;

    /// <summary>Longest delay between two retries of a call to the parent (the exponential back-off is capped here). Default: 5 minutes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deadline of one whole round, retries included. Default: 10 minutes.</summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deadline of one attempt of one call to the parent (a handshake, or a whole push or pull stream). Default: 2 minutes.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries of a failed call to the parent within one round (0 = none). Default: 3 retries.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles with each further retry, with jitter, up to <see cref="MaxBackoff"/>. Default: 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Least number of calls to the parent within <see cref="BreakerSamplingDuration"/> before the circuit breaker may open
    /// (it opens when at least <see cref="BreakerFailureRatio"/> of them failed); rounds then fail at once. Default: 5 calls. At least 2.
    /// </summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>
    /// Share of failed calls within <see cref="BreakerSamplingDuration"/> that opens the breaker. Below 1 on purpose: the
    /// successes just before a link drops stay in the window, and a ratio of 1 would wait until they age out. Default: 0.5 (half). Above 0, at most 1.
    /// </summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Window over which the breaker counts calls and failures. Default: 1 minute. At least 0.5 seconds.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time the breaker stays open before one probe call is let through (half-open). Default: 30 seconds. At least 0.5 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on changes per batch, both ways. Default: 1000 rows.</summary>
    public int BatchRows { get; set; } = SyncProtocol.DefaultBatchRows;

    /// <summary>Upper bound on encoded changes per batch, both ways. Default: 1,048,576 bytes (1 MiB).</summary>
    public int BatchBytes { get; set; } = SyncProtocol.DefaultBatchBytes;

    /// <summary>Batches pushed ahead of their acknowledgements (pipelining). Default: 4 batches.</summary>
    public int PushWindow { get; set; } = 4;

    /// <summary>Sync calls (handshake, push, pull) one child may make within <see cref="PeerCallWindow"/>; more fail with <c>RESOURCE_EXHAUSTED</c>. Default: 600 (a round is 3–4 calls).</summary>
    public int PeerCallLimit { get; set; } = 600;

    /// <summary>Window of <see cref="PeerCallLimit"/>. Default: 1 minute.</summary>
    public TimeSpan PeerCallWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Problems with these settings, empty if they are valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (ParentUrl is { Length: > 0 } && !Uri.TryCreate(ParentUrl, UriKind.Absolute, out _))
        {
            yield return $"Sync:ParentUrl '{ParentUrl}' is not an absolute URL";
        }

        if (Interval <= TimeSpan.Zero || Debounce < TimeSpan.Zero || NoticeDebounce < TimeSpan.Zero || MaxBackoff <= TimeSpan.Zero || RoundTimeout <= TimeSpan.Zero)
        {
            yield return "Sync:Interval, MaxBackoff and RoundTimeout must be positive and Debounce and NoticeDebounce not negative";
        }

        if (AttemptTimeout <= TimeSpan.Zero || RetryBaseDelay < TimeSpan.Zero || RetryAttempts is < 0 or > 100)
        {
            yield return "Sync:AttemptTimeout must be positive, RetryBaseDelay not negative and RetryAttempts between 0 and 100";
        }

        if (BreakerFailureRatio is <= 0 or > 1 || double.IsNaN(BreakerFailureRatio))
        {
            yield return "Sync:BreakerFailureRatio must be above 0 and at most 1";
        }

        if (BreakerFailureThreshold < 2 || BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            yield return "Sync:BreakerFailureThreshold must be at least 2, BreakerSamplingDuration and BreakDuration at least 0.5 seconds";
        }

        if (BatchRows is < 1 or > SyncProtocol.MaxBatchRows)
        {
            yield return $"Sync:BatchRows must be between 1 and {SyncProtocol.MaxBatchRows}";
        }

        if (BatchBytes is < 1024 or > SyncProtocol.MaxBatchBytes)
        {
            yield return $"Sync:BatchBytes must be between 1024 and {SyncProtocol.MaxBatchBytes}";
        }

        if (PeerCallLimit < 1 || PeerCallWindow <= TimeSpan.Zero)
        {
            yield return "Sync:PeerCallLimit must be at least 1 and Sync:PeerCallWindow positive";
        }

        if (PushWindow is < 1 or > 64)
        {
            yield return "Sync:PushWindow must be between 1 and 64";
        }
    }
}
