namespace ServiceHall.Core.Nodes;

/// <summary>When this node process started, taken once from the injected clock.</summary>
public sealed class NodeClock(TimeProvider time)
{
    /// <summary>The injected time source.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Start of this process (UTC).</summary>
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Time since start.</summary>
    public TimeSpan Uptime => Time.GetUtcNow() - StartedAt;
}
