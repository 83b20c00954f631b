using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Grpc.Core;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// Reads a gRPC message stream one message ahead of its consumer, so that receiving and parsing the next batch
/// overlaps applying the current one (on a two-core station the receiver was otherwise parse, then apply, then
/// parse…). Order is kept and memory stays bounded: at most <c>depth</c> parsed messages wait, plus the one
/// being read. A failure while reading or checking a message reaches the consumer only after every message
/// read before it, so the batches before a bad one are still applied and acknowledged, as without read-ahead.
/// </summary>
internal static class StreamReadAhead
{
    /// <summary>The messages of <paramref name="stream"/>, each passed through <paramref name="check"/> on the reading side.</summary>
    public static async IAsyncEnumerable<T> ReadAheadAsync<T>(this IAsyncStreamReader<T> stream, int depth, Action<T>? check, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ExceptionDispatchInfo? failure = null;
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await stream.MoveNext(stop.Token).ConfigureAwait(false))
                {
                    var message = stream.Current;
                    check?.Invoke(message);
                    await channel.Writer.WriteAsync(message, stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && stop.IsCancellationRequested && !ct.IsCancellationRequested))
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped early: nothing more to read.
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            while (await channel.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var message))
                {
                    yield return message;
                }
            }

            await reader.ConfigureAwait(false);
            failure?.Throw();
        }
        finally
        {
            // The consumer may leave early (it failed, or it saw the last batch it wanted): stop the reading side.
            await stop.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
    }
}
