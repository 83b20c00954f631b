using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Transport;

/// <summary>
/// Runs sync rounds with the parent: periodically (<see cref="SyncOptions.Interval"/>), shortly after a local
/// write (<see cref="SyncOptions.Debounce"/>), and on demand (<see cref="RunOnceAsync"/>); one round at a time.
/// Each call to the parent is retried with back-off and guarded by a circuit breaker (<see cref="SyncResilience"/>);
/// after a failed round the next one starts when the breaker half-opens (if it is open) or after
/// <see cref="SyncOptions.Interval"/>, whichever comes first, so queued changes go up with no operator action.
/// With <see cref="SyncOptions.Watch"/> it also keeps the parent's notice stream open (<see cref="ParentWatch"/>) and runs a
/// round, without debounce, as soon as the parent reports changes for this node. At the root (no parent URL) it does nothing.
/// </summary>
public sealed class SyncRunner : BackgroundService
{
    private readonly SyncStore _store;
    private readonly SyncOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly GrpcChannel? _channel;
    private readonly SyncClient? _client;
    private readonly SemaphoreSlim _round = new(1, 1);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _notice = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a runner; with a parent URL in <paramref name="options"/> it opens a channel to the parent.</summary>
    public SyncRunner(SyncStore store, IOptions<SyncOptions> options, TimeProvider time, ILoggerFactory? loggers = null, ISyncParentTransport? transport = null)
        : this(store, options?.Value ?? throw new ArgumentNullException(nameof(options)), time, client: null, loggers, transport)
    {
    }

    /// <summary>
    /// Creates a runner around an existing client (tests, or a host with its own channel); null client = root. Without a
    /// client and with a parent URL, it opens the channel itself through <paramref name="transport"/> (e.g. mutual TLS;
    /// plain <c>GrpcChannel</c> defaults if null).
    /// </summary>
    public SyncRunner(SyncStore store, SyncOptions options, TimeProvider time, SyncClient? client, ILoggerFactory? loggers = null, ISyncParentTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options;
        _time = time;
        loggers ??= NullLoggerFactory.Instance;
        _log = loggers.CreateLogger<SyncRunner>();
        _client = client;
        if (_client is null && !string.IsNullOrEmpty(options.ParentUrl))
        {
            _channel = GrpcChannel.ForAddress(options.ParentUrl, new GrpcChannelOptions
            {
                LoggerFactory = loggers,
                HttpHandler = ParentHandler(transport),
                MaxReceiveMessageSize = SyncProtocol.MaxMessageBytes,
                // The channel's own reconnect back-off grows to 2 minutes by default: after a long outage a healed link
                // would sit unused that long. The runner and its Polly pipeline pace the retries; the channel just connects.
                MaxReconnectBackoff = TimeSpan.FromSeconds(2),
            });
            var resilience = SyncResilience.Create(options, time, loggers.CreateLogger(typeof(SyncResilience).FullName!), options.ParentUrl);
            _client = new SyncClient(store, _channel.CreateCallInvoker(), options.Level, options, options.ParentUrl, loggers.CreateLogger<SyncClient>(), resilience);
        }
    }

    /// <summary>
    /// The handler of the channel to the parent: the transport's (e.g. mutual TLS) or a plain one. HTTP/2 pings find a
    /// notice stream whose link died without a reset (a black-holed route), so it is reopened.
    /// </summary>
    private static HttpMessageHandler ParentHandler(ISyncParentTransport? transport)
    {
        var handler = transport?.CreateHandler() ?? new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (handler is SocketsHttpHandler sockets)
        {
            sockets.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            sockets.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            sockets.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        }

        return handler;
    }

    /// <summary>Raised after every round with the parent: the result, or the error that ended it.</summary>
    public event Action<SyncRoundResult?, Exception?>? RoundCompleted;

    /// <summary>True if this node has a parent to sync with.</summary>
    public bool HasParent => _client is not null;

    /// <summary>Runs one round now (waiting for a running one to finish first). Returns zero counts at the root.</summary>
    public async Task<SyncRoundResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        if (_client is null)
        {
            return default;
        }

        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = new CancellationTokenSource(_options.RoundTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            SyncRoundResult result;
            try
            {
                result = await _client.SyncAsync(linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RoundCompleted?.Invoke(null, ex);
                throw;
            }

            RoundCompleted?.Invoke(result, null);
            return result;
        }
        finally
        {
            _round.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_client is null)
        {
            return;
        }

        _store.LocalChangeCommitted += OnLocalChange;
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var watch = _options.Watch
            ? Task.Run(() => new ParentWatch(_client, _options, _time, _log, OnNotice).RunAsync(watching.Token), CancellationToken.None)
            : Task.CompletedTask;
        try
        {
            var failures = 0;
            TimeSpan? retryAfter = null;
            var first = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!first)
                {
                    var delay = retryAfter is { } r && r < _options.Interval ? r : _options.Interval;
                    var wake = Volatile.Read(ref _wake);
                    var notice = Volatile.Read(ref _notice);
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var sleep = Task.Delay(delay, _time, cts.Token);
                    var woke = await Task.WhenAny(sleep, wake.Task, notice.Task).ConfigureAwait(false);
                    await cts.CancelAsync().ConfigureAwait(false);
                    // The parent debounced its notice already; a local write waits for the rest of its burst.
                    if (woke == wake.Task && !notice.Task.IsCompleted && _options.Debounce > TimeSpan.Zero)
                    {
                        await Task.Delay(_options.Debounce, _time, stoppingToken).ConfigureAwait(false);
                    }
                }

                first = false;
                // Writes and notices from now on ask for another round.
                Volatile.Write(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                Volatile.Write(ref _notice, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                try
                {
                    // Poison changes set aside earlier get another chance each round (their cause may be fixed by now).
                    _store.RetryParked(_log);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OperationCanceledException)
                {
                    _log.LogWarning("Retrying parked changes failed: {Error}", ex.Message);
                }

                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                    failures = 0;
                    retryAfter = null;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    // Retries within the round are done (Polly); an open breaker says when the next probe may go.
                    retryAfter = ex is BrokenCircuitException broken ? broken.RetryAfter ?? _options.BreakDuration : _options.BreakDuration;
                    _log.LogWarning("Sync round failed ({Failures} in a row), next in {NextRound}: {Error}",
                        failures, retryAfter < _options.Interval ? retryAfter : _options.Interval, SyncResilience.Describe(ex));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && stoppingToken.IsCancellationRequested)
        {
            // shutting down in the middle of a round: grpc-dotnet reports the cancelled call as an RpcException, not as an
            // OperationCanceledException, and the host took it for a crash ("BackgroundService failed", logged as fatal)
        }
        finally
        {
            _store.LocalChangeCommitted -= OnLocalChange;
            await watching.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _channel?.Dispose();
        _round.Dispose();
    }

    private void OnLocalChange() => Volatile.Read(ref _wake).TrySetResult();

    private void OnNotice() => Volatile.Read(ref _notice).TrySetResult();
}
