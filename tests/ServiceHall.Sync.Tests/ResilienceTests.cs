using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>Polly around the calls to the parent: retry with back-off, the circuit breaker, and what the operator sees meanwhile.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_ParentUnreachable_BreakerOpensFailsFastHalfOpensAndClosesWhenParentReturns()
    {
        await using var net = await Network.CreateAsync();
        var log = new ListLogger();
        using var link = new ResilientLink(net, "t01-v01", new SyncOptions { RetryAttempts = 0, BreakerFailureThreshold = 3, BreakDuration = Break }, log);
        var v = net["t01-v01"];
        v.Write("n1", Network.ScopeOf(v.Id), "taken while the link is down");
        v.Write("n2", Network.ScopeOf(v.Id), "taken while the link is down");
        link.Faults.Offline = true;

        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }

        var callsWhenOpened = link.Faults.Calls;
        await Assert.ThrowsAsync<BrokenCircuitException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        link.Faults.Offline = false; // the parent is back, but the breaker has not half-opened yet
        await Assert.ThrowsAsync<BrokenCircuitException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        var whileOpen = Parent(v);

        net.Time.Advance(Break);
        var result = await link.Client.SyncAsync(TestContext.Current.CancellationToken);
        var afterClose = Parent(v);

        Assert.Equal(3, callsWhenOpened);
        Assert.Equal(callsWhenOpened + 3, link.Faults.Calls); // open rounds sent nothing; the probe round sent handshake, push, pull
        Assert.Equal(("offline", 2L), (whileOpen.State, whileOpen.Pending));
        Assert.NotNull(whileOpen.OfflineSince);
        Assert.Contains("circuit open", whileOpen.LastError, StringComparison.Ordinal);
        Assert.Equal(2, result.Pushed);
        Assert.Equal(2, net["t01"].Notes().Count);
        Assert.Equal(("online", 0L), (afterClose.State, afterClose.Pending));
        Assert.Null(afterClose.OfflineSince);
        Assert.Equal(["opened", "half-open", "closed"], log.Breaker());
        var opened = log.Entries.Single(e => e.Message.Contains("opened", StringComparison.Ordinal));
        Assert.Equal(Break, opened.Properties["BreakDuration"]);
        Assert.Equal(net["t01"].Url, opened.Properties["Parent"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_LinkDropsAfterSuccessfulRounds_BreakerStillOpens()
    {
        // The calls of a good round stay in the sampling window; the breaker must open anyway once failures dominate.
        await using var net = await Network.CreateAsync();
        var log = new ListLogger();
        using var link = new ResilientLink(net, "t01-v01", new SyncOptions { RetryAttempts = 0, BreakerFailureThreshold = 3, BreakDuration = Break }, log);
        await link.Client.SyncAsync(TestContext.Current.CancellationToken); // handshake, push, pull: three successes
        link.Faults.Offline = true;

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["opened"], log.Breaker());
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_HalfOpenProbeFails_BreakerOpensAgainWithoutFurtherCalls()
    {
        await using var net = await Network.CreateAsync();
        var log = new ListLogger();
        using var link = new ResilientLink(net, "t02-v01", new SyncOptions { RetryAttempts = 0, BreakerFailureThreshold = 2, BreakDuration = Break }, log);
        link.Faults.Offline = true;
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        }

        net.Time.Advance(Break);
        var probe = await Assert.ThrowsAsync<RpcException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));
        var callsAfterProbe = link.Faults.Calls;
        await Assert.ThrowsAsync<BrokenCircuitException>(() => link.Client.SyncAsync(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.Unavailable, probe.StatusCode);
        Assert.Equal(3, callsAfterProbe);
        Assert.Equal(3, link.Faults.Calls);
        Assert.Equal(["opened", "half-open", "opened"], log.Breaker());
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_CallFails_RetriedWithGrowingDelaysAndLogged()
    {
        await using var net = await Network.CreateAsync();
        var log = new ListLogger();
        var options = new SyncOptions { RetryAttempts = 2, RetryBaseDelay = TimeSpan.FromSeconds(1), BreakerFailureThreshold = 10 };
        using var link = new ResilientLink(net, "t01-v02", options, log);
        link.Faults.Offline = true;

        var round = link.Client.SyncAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => round.IsCompleted, () => net.Time.Advance(TimeSpan.FromMilliseconds(500)));

        var error = await Assert.ThrowsAsync<RpcException>(() => round);
        var retries = log.Entries.Where(e => e.Message.StartsWith("Sync call", StringComparison.Ordinal)).ToList();
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(3, link.Faults.Calls);
        Assert.Equal([1, 2], retries.Select(e => (int)e.Properties["Attempt"]!));
        Assert.All(retries, e => Assert.Equal(LogLevel.Warning, e.Level));
        // Exponential with jitter: each delay within (0, 2^(n-1) * base * ~1.5].
        var delays = retries.Select(e => (TimeSpan)e.Properties["RetryDelay"]!).ToList();
        Assert.InRange(delays[0], TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(delays[1], TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(4));
    }

    [Fact(Timeout = 30_000)]
    public async Task Runner_ParentDownThenBack_PendingChangesGoUpWithNoOperatorAction()
    {
        await using var net = await Network.CreateAsync();
        var log = new ListLogger();
        var options = new SyncOptions
        {
            Interval = TimeSpan.FromMinutes(1), Debounce = TimeSpan.Zero, RetryAttempts = 1, BreakerFailureThreshold = 3, BreakDuration = Break,
        };
        using var link = new ResilientLink(net, "t02-v02", options, log);
        var v = net["t02-v02"];
        link.Faults.Offline = true;
        using var runner = new SyncRunner(v.Store, options, net.Time, link.Client);
        var failedRounds = 0;
        runner.RoundCompleted += (_, e) =>
        {
            if (e is not null)
            {
                Interlocked.Increment(ref failedRounds);
            }
        };

        await runner.StartAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 5; i++)
        {
            v.Write($"n{i}", Network.ScopeOf(v.Id), "queued offline");
        }

        await Poll.UntilAsync(() => log.Breaker().Contains("opened"), () => net.Time.Advance(TimeSpan.FromSeconds(1)));
        var offline = Parent(v);
        link.Faults.Offline = false;
        await Poll.UntilAsync(() => net["t02"].Notes().Count == 5 && Parent(v).State == "online", () => net.Time.Advance(TimeSpan.FromSeconds(1)));
        var online = Parent(v);
        await runner.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("offline", 5L), (offline.State, offline.Pending));
        Assert.True(Volatile.Read(ref failedRounds) >= 1);
        Assert.Equal(0L, online.Pending);
        Assert.Equal("closed", log.Breaker().Last());
    }

    [Fact]
    public void Validate_BadResilienceOptions_NamesEachProblem()
    {
        var problems = new SyncOptions { BreakerFailureThreshold = 1, AttemptTimeout = TimeSpan.Zero, BreakerFailureRatio = 1.5 }.Validate().ToList();

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("BreakerFailureRatio", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("BreakerFailureThreshold", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("AttemptTimeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.FailedPrecondition, false)]
    public void IsTransient_RpcStatus_OnlyLinkFailuresAreRetried(StatusCode code, bool expected) =>
        Assert.Equal(expected, SyncResilience.IsTransient(new RpcException(new Status(code, "x")), CancellationToken.None));

    private static SyncPeerStatus Parent(TestNode node) =>
        new SyncStatusReader(node.Store).Read().Single(p => p.Relation == SyncProtocol.RelationParent);

    /// <summary>A second client of the village's parent, through its own fault handler, with the resilience pipeline.</summary>
    [Fact(Timeout = 30_000)]
    public async Task Runner_StoppedWhileACallIsInFlight_EndsQuietlyInsteadOfFailingTheHost()
    {
        await using var net = await Network.CreateAsync();
        var options = new SyncOptions { Interval = TimeSpan.FromMinutes(1), Debounce = TimeSpan.Zero };
        using var link = new ResilientLink(net, "t01-v01", options, new ListLogger());
        link.Faults.Stalled = true;
        using var runner = new SyncRunner(net["t01-v01"].Store, options, net.Time, link.Client);

        await runner.StartAsync(TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => link.Faults.Calls >= 1, () => { });
        await runner.StopAsync(TestContext.Current.CancellationToken);

        // grpc-dotnet ends the cancelled call with RpcException(Cancelled); the host would log it as a crashed service.
        Assert.True(runner.ExecuteTask!.IsCompletedSuccessfully, $"the runner ended {runner.ExecuteTask.Status}: {runner.ExecuteTask.Exception?.InnerException?.Message}");
    }

    private sealed class ResilientLink : IDisposable
    {
        private readonly GrpcChannel _channel;

        public ResilientLink(Network net, string villageId, SyncOptions options, ILogger log)
        {
            var village = net[villageId];
            var parent = net[villageId[..villageId.IndexOf('-', StringComparison.Ordinal)]];
            _channel = GrpcChannel.ForAddress(parent.Url!, new GrpcChannelOptions { HttpHandler = Faults });
            var pipeline = SyncResilience.Create(options, net.Time, log, parent.Url!);
            Client = new SyncClient(village.Store, _channel.CreateCallInvoker(), NodeLevel.Village, options, parent.Url!, logger: null, pipeline);
        }

        public FaultHandler Faults { get; } = new();

        public SyncClient Client { get; }

        public void Dispose() => _channel.Dispose();
    }
}

/// <summary>Bounded polling on a condition, stepping a fake clock between looks.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, Action step, int maxSteps = 2000)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            if (condition())
            {
                return;
            }

            step();
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"condition not met after {maxSteps} steps");
    }
}

/// <summary>Keeps every log event with its named properties.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The breaker transitions in order: opened, half-open, closed.</summary>
    public List<string> Breaker() => Entries.Where(e => e.Message.StartsWith("Circuit", StringComparison.Ordinal))
        .Select(e => e.Message.Contains("opened", StringComparison.Ordinal) ? "opened" : e.Message.Contains("half-open", StringComparison.Ordinal) ? "half-open" : "closed")
        .ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, object?>(StringComparer.Ordinal);
        lock (_entries)
        {
            _entries.Add(new LogEntry(logLevel, formatter(state, exception), properties));
        }
    }
}

internal sealed record LogEntry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties);
