using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>The runner: rounds at start, after local writes, on demand; one at a time.</summary>
public sealed class SyncRunnerTests
{
    [Fact(Timeout = 30_000)]
    public async Task Runner_LocalWrite_TriggersARoundThatPushesIt()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        var options = new SyncOptions { Interval = TimeSpan.FromHours(1), Debounce = TimeSpan.Zero };
        using var runner = new SyncRunner(v.Store, options, net.Time, v.Client);
        var completed = System.Threading.Channels.Channel.CreateUnbounded<(SyncRoundResult? Result, Exception? Error)>();
        runner.RoundCompleted += (r, e) => completed.Writer.TryWrite((r, e));

        await runner.StartAsync(TestContext.Current.CancellationToken);
        var first = await completed.Reader.ReadAsync(TestContext.Current.CancellationToken);
        v.Write("n1", Network.ScopeOf(v.Id), "written while the runner runs");
        var second = await completed.Reader.ReadAsync(TestContext.Current.CancellationToken);
        await runner.StopAsync(TestContext.Current.CancellationToken);

        Assert.Null(first.Error);
        Assert.Null(second.Error);
        Assert.Equal(1, second.Result!.Value.Pushed);
        Assert.Single(net["t01"].Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Runner_ChildPush_TriggersTownshipRoundThatRelaysItUp()
    {
        await using var net = await Network.CreateAsync();
        var t = net["t01"];
        var v = net["t01-v01"];
        var options = new SyncOptions { Interval = TimeSpan.FromHours(1), Debounce = TimeSpan.Zero };
        using var runner = new SyncRunner(t.Store, options, net.Time, t.Client);
        var completed = System.Threading.Channels.Channel.CreateUnbounded<(SyncRoundResult? Result, Exception? Error)>();
        runner.RoundCompleted += (r, e) => completed.Writer.TryWrite((r, e));
        await runner.StartAsync(TestContext.Current.CancellationToken);
        Assert.Null((await completed.Reader.ReadAsync(TestContext.Current.CancellationToken)).Error);

        v.Write("relayed", Network.ScopeOf(v.Id), "from the village");
        await v.Client!.SyncAsync(TestContext.Current.CancellationToken);
        var relay = await completed.Reader.ReadAsync(TestContext.Current.CancellationToken);
        await runner.StopAsync(TestContext.Current.CancellationToken);

        Assert.Null(relay.Error);
        Assert.Equal(1, relay.Result!.Value.Pushed);
        Assert.Contains(net.City.Notes(), n => n.Contains("relayed", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_ConcurrentCalls_RunOneAfterAnotherAndBothSucceed()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t02-v02"];
        for (var i = 0; i < 50; i++)
        {
            v.Write($"n{i}", Network.ScopeOf(v.Id), "x");
        }

        using var runner = new SyncRunner(v.Store, new SyncOptions(), net.Time, v.Client);
        var a = runner.RunOnceAsync(TestContext.Current.CancellationToken);
        var b = runner.RunOnceAsync(TestContext.Current.CancellationToken);
        var results = await Task.WhenAll(a, b);

        Assert.Equal(50, results.Sum(r => r.Pushed));
        Assert.Equal(50, net["t02"].Notes().Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_AtRoot_DoesNothing()
    {
        await using var net = await Network.CreateAsync();
        using var runner = new SyncRunner(net.City.Store, new SyncOptions(), net.Time, client: null);

        var result = await runner.RunOnceAsync(TestContext.Current.CancellationToken);

        Assert.False(runner.HasParent);
        Assert.Equal(default, result);
    }

    [Fact]
    public void Validate_BadOptions_NamesEachProblem()
    {
        var problems = new SyncOptions { ParentUrl = "not a url", BatchRows = 0, PushWindow = 0, Interval = TimeSpan.Zero }.Validate().ToList();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("ParentUrl", StringComparison.Ordinal));
        Assert.Empty(new SyncOptions { ParentUrl = "http://127.0.0.1:5000", Level = NodeLevel.Village }.Validate());
    }
}
