using ServiceHall.Protos.V1;

namespace ServiceHall.Sync;

/// <summary>Settings of the sync engine, bound from configuration section <c>Sync</c>.</summary>
public sealed class SyncOptions
{
    /// <summary>URL of the parent node (e.g. <c>http://city:5000</c>); null or empty at the root. Default: null.</summary>
    public string? ParentUrl { get; set; }

    /// <summary>This node's level, sent in the handshake. Default: <see cref="NodeLevel.Unspecified"/> (the host must set it on non-root nodes).</summary>
    public NodeLevel Level { get; set; }

    /// <summary>Time between periodic rounds with the parent. Default: 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay after a local write before a round starts, so a burst of writes goes up in one round. Default: 2 seconds.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait between rounds while the parent is unreachable (back-off doubles from <see cref="Interval"/>'s first retry of 1 second up to this). Default: 5 minutes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deadline of one whole round. Default: 10 minutes.</summary>
    public TimeSpan RoundTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Upper bound on changes per batch, both ways. Default: 1000 rows.</summary>
    public int BatchRows { get; set; } = SyncProtocol.DefaultBatchRows;

    /// <summary>Upper bound on encoded changes per batch, both ways. Default: 1,048,576 bytes (1 MiB).</summary>
    public int BatchBytes { get; set; } = SyncProtocol.DefaultBatchBytes;

    /// <summary>Batches pushed ahead of their acknowledgements (pipelining). Default: 4 batches.</summary>
    public int PushWindow { get; set; } = 4;

    /// <summary>Problems with these settings, empty if they are valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (ParentUrl is { Length: > 0 } && !Uri.TryCreate(ParentUrl, UriKind.Absolute, out _))
        {
            yield return $"Sync:ParentUrl '{ParentUrl}' is not an absolute URL";
        }

        if (Interval <= TimeSpan.Zero || Debounce < TimeSpan.Zero || MaxBackoff <= TimeSpan.Zero || RoundTimeout <= TimeSpan.Zero)
        {
            yield return "Sync:Interval, MaxBackoff and RoundTimeout must be positive and Debounce not negative";
        }

        if (BatchRows is < 1 or > SyncProtocol.MaxBatchRows)
        {
            yield return $"Sync:BatchRows must be between 1 and {SyncProtocol.MaxBatchRows}";
        }

        if (BatchBytes is < 1024 or > SyncProtocol.MaxBatchBytes)
        {
            yield return $"Sync:BatchBytes must be between 1024 and {SyncProtocol.MaxBatchBytes}";
        }

        if (PushWindow is < 1 or > 64)
        {
            yield return "Sync:PushWindow must be between 1 and 64";
        }
    }
}
