using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// The Polly resilience pipeline around every call a child makes to its parent (handshake, push, pull):
/// from the outside in, retry with exponential back-off and jitter, a circuit breaker, and a timeout per attempt.
/// Each call is idempotent (push and pull resume from the cursors in the store), so a retried call never doubles a change.
/// While the breaker is open, calls fail at once with <see cref="BrokenCircuitException"/> and are not retried,
/// so a round against a dead parent ends in microseconds; after <see cref="SyncOptions.BreakDuration"/> one probe
/// call goes through (half-open) and closes the breaker if it succeeds.
/// </summary>
public static class SyncResilience
{
    /// <summary>Builds the pipeline for calls to <paramref name="parent"/>, timed by <paramref name="time"/>.</summary>
    /// <param name="options">Timeout, retry and breaker settings.</param>
    /// <param name="time">Clock of the delays, timeouts and break duration (a fake one in tests).</param>
    /// <param name="logger">Receives every retry and every breaker state change.</param>
    /// <param name="parent">How the parent is named in the log (its URL or id).</param>
    public static ResiliencePipeline Create(SyncOptions options, TimeProvider time, ILogger logger, string parent)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                // An open breaker is not retried: the round ends and the runner waits until the breaker half-opens.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex && ex is not BrokenCircuitException && IsTransient(ex, args.Context.CancellationToken)),
                MaxRetryAttempts = options.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxBackoff,
                OnRetry = args =>
                {
                    logger.LogWarning("Sync call to {Parent} failed (attempt {Attempt}), retrying in {RetryDelay}: {Error}",
                        parent, args.AttemptNumber + 1, args.RetryDelay, Describe(args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } ex && IsTransient(ex, args.Context.CancellationToken)),
            // At least N calls in the window and at least this share of them failed.
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerFailureThreshold,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakDuration,
            OnOpened = args =>
            {
                logger.LogWarning("Circuit to {Parent} opened for {BreakDuration}: {Error}",
                    parent, args.BreakDuration, Describe(args.Outcome.Exception));
                return ValueTask.CompletedTask;
            },
            OnHalfOpened = _ =>
            {
                logger.LogInformation("Circuit to {Parent} half-open: probing", parent);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                logger.LogInformation("Circuit to {Parent} closed: the parent answers again", parent);
                return ValueTask.CompletedTask;
            },
        });

        builder.AddTimeout(options.AttemptTimeout);
        return builder.Build();
    }

    /// <summary>
    /// True for failures of the link or of the parent's availability, which a later attempt may not meet:
    /// unavailable, deadline, reset or refused connections, attempt timeouts. False for answers that would not change
    /// (permission denied, invalid argument, protocol violations) and for the caller's own cancellation.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (callerToken.IsCancellationRequested)
        {
            return false;
        }

        return exception switch
        {
            BrokenCircuitException => true,
            TimeoutRejectedException => true,
            // Cancelled here is not the caller's own cancellation (checked above): the attempt timeout or a dropped stream.
            RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
                or StatusCode.Unknown or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled,
            IOException or HttpRequestException or SocketException => true,
            OperationCanceledException => true,
            _ => false,
        };
    }

    internal static string Describe(Exception? exception) => exception switch
    {
        null => "no error",
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        BrokenCircuitException { RetryAfter: { } after } => $"circuit open, next probe in {after}",
        BrokenCircuitException => "circuit open",
        _ => exception.Message,
    };
}
