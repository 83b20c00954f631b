namespace ServiceHall.Sync.Engine;

/// <summary>
/// Hybrid logical clock: physical milliseconds from the injected <see cref="TimeProvider"/> in the
/// high bits and a counter in the low 16 bits. Every value it issues is greater than every value it
/// issued or observed before, so writes are ordered causally even when node clocks disagree, and
/// (hlc, origin node id) orders any two writes to a row the same way on every node.
/// </summary>
public sealed class HybridLogicalClock(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _last;

    /// <summary>Number of low bits used by the logical counter.</summary>
    public const int CounterBits = 16;

    /// <summary>A new timestamp greater than any issued or observed.</summary>
    public long Next()
    {
        var physical = time.GetUtcNow().ToUnixTimeMilliseconds() << CounterBits;
        lock (_gate)
        {
            _last = Math.Max(physical, _last + 1);
            return _last;
        }
    }

    /// <summary>Records a timestamp seen on a received change so that later local writes order after it.</summary>
    public void Observe(long remote)
    {
        lock (_gate)
        {
            if (remote > _last)
            {
                _last = remote;
            }
        }
    }

    /// <summary>The wall-clock part of an HLC value.</summary>
    public static DateTimeOffset ToTime(long hlc) => DateTimeOffset.FromUnixTimeMilliseconds(hlc >> CounterBits);

    /// <summary>Compares two versions: by HLC, then by origin node id (ordinal), so ties break the same everywhere.</summary>
    public static int Compare(long hlcA, string originA, long hlcB, string originB)
    {
        var c = hlcA.CompareTo(hlcB);
        return c != 0 ? c : string.CompareOrdinal(originA, originB);
    }
}
