using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// The child's end of the notice stream: keeps <c>Watch</c> open to the parent for as long as the node runs. A stream
/// that drops after it was open is reopened at once; attempts that fail before the parent accepts the stream back off
/// exponentially with jitter (<see cref="SyncOptions.RetryBaseDelay"/> up to <see cref="SyncOptions.BreakDuration"/>) through a
/// Polly retry on the injected clock. Notices only wake the <see cref="SyncRunner"/>; a parent that does not offer the stream
/// (UNIMPLEMENTED) is left alone and the periodic rounds carry on.
/// </summary>
internal sealed class ParentWatch(SyncClient client, SyncOptions options, TimeProvider time, ILogger log, Action onNotice)
{
    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled or the parent turns out not to offer the stream.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var reopen = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && !args.Context.CancellationToken.IsCancellationRequested && ex is not RpcException { StatusCode: StatusCode.Unimplemented }),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay > TimeSpan.Zero ? options.RetryBaseDelay : TimeSpan.FromMilliseconds(100),
                MaxDelay = options.BreakDuration,
                OnRetry = args =>
                {
                    log.LogDebug("Notice stream to the parent could not be opened (attempt {Attempt}), next try in {RetryDelay}: {Error}",
                        args.AttemptNumber + 1, args.RetryDelay, SyncResilience.Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // One pass = one stream that opened and then ended or dropped; the retry counts only failed openings.
                await reopen.ExecuteAsync(async ct =>
                {
                    var opened = false;
                    try
                    {
                        await client.WatchAsync(() => opened = true, onNotice, ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (opened && !ct.IsCancellationRequested && ex is not OperationCanceledException)
                    {
                        log.LogDebug("Notice stream to the parent dropped, reopening: {Error}", SyncResilience.Describe(ex));
                        return;
                    }

                    if (!opened)
                    {
                        throw new IOException("the parent ended the notice stream before opening it");
                    }
                }, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            log.LogInformation("The parent offers no notice stream; changes from it arrive with the periodic rounds");
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // shutting down: the open stream ends cancelled
        }
    }
}
