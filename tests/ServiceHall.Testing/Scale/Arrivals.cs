using System.Collections.Concurrent;
using System.Diagnostics;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// When each synced row reached each in-process node (Stopwatch timestamps, taken in the engine's <see cref="SyncStore.Applied"/>
/// hook inside the apply transaction), and when each event was written at its origin: the raw data of the latency figures.
/// Also lets a workflow wait until a row has reached a node.
/// </summary>
internal sealed class Arrivals
{
    private readonly ConcurrentDictionary<(string Node, string Key), long> _arrived = new();
    private readonly ConcurrentDictionary<(string Node, string Key), TaskCompletionSource> _waiters = new();
    private readonly ConcurrentDictionary<string, (string Origin, string Case, long At)> _written = new(StringComparer.Ordinal);

    /// <summary>Watches <paramref name="store"/> of node <paramref name="nodeId"/>.</summary>
    public void Watch(string nodeId, SyncStore store) => store.Applied += (_, _, changes) =>
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var c in changes)
        {
            if (c.Deleted)
            {
                continue;
            }

            var key = (nodeId, c.Key);
            _arrived.TryAdd(key, now);
            if (_waiters.TryRemove(key, out var waiter))
            {
                // Continuations run asynchronously; an action they take waits for the store's write lock, i.e. for this commit.
                waiter.TrySetResult();
            }
        }
    };

    /// <summary>Records that event <paramref name="key"/> of case <paramref name="caseNumber"/> was written (committed) at <paramref name="origin"/> now.</summary>
    public void Written(string origin, string key, string caseNumber) => _written[key] = (origin, caseNumber, Stopwatch.GetTimestamp());

    /// <summary>Completes once <paramref name="key"/> has reached <paramref name="nodeId"/> (a node watched by <see cref="Watch"/>).</summary>
    public Task WaitAsync(string nodeId, string key, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd((nodeId, key), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_arrived.ContainsKey((nodeId, key)))
        {
            _waiters.TryRemove((nodeId, key), out _);
            return Task.CompletedTask;
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>When <paramref name="key"/> reached <paramref name="nodeId"/>, if it did.</summary>
    public long? ArrivedAt(string nodeId, string key) => _arrived.TryGetValue((nodeId, key), out var t) ? t : null;

    /// <summary>Every event the workload wrote at an in-process node, with its origin, case and time.</summary>
    public IEnumerable<(string Key, string Origin, string Case, long At)> AllWritten() => _written.Select(kv => (kv.Key, kv.Value.Origin, kv.Value.Case, kv.Value.At));
}
