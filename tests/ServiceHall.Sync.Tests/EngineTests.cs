using Microsoft.Extensions.Time.Testing;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Sync.Tests;

/// <summary>Engine pieces without a network: reader filters, applier, clock, scopes, write path.</summary>
public sealed class EngineTests : IAsyncLifetime
{
    private const string V1 = "city/t01/t01-v01";
    private const string V2 = "city/t01/t01-v02";
    private const string T1 = "city/t01";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private TestNode _a = null!;
    private TestNode _b = null!;

    public ValueTask InitializeAsync()
    {
        _a = new TestNode("a", _time);
        _b = new TestNode("b", _time);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public void ReadForParent_DownOnlyAndParentsOwnChanges_FilteredButCursorAdvances()
    {
        _a.WriteGlobal("g1", "x");
        new ChangeApplier(_a.Store).Apply(Batch(_b, () => _b.Write("n1", V1, "from parent")), "parent");

        var batch = new ChangeReader(_a.Store).ReadForParent(0, "parent", 100, 1 << 20);

        Assert.Empty(batch.Changes);
        Assert.Equal(_a.Count("SELECT MAX(seq) FROM _sync_log"), batch.ThroughSeq);
    }

    [Fact]
    public void ReadForParent_MaxRows_BoundsBatchAndResumesAfterIt()
    {
        for (var i = 0; i < 25; i++)
        {
            _a.Write($"n{i:D2}", V1, "b", i);
        }

        var reader = new ChangeReader(_a.Store);
        var first = reader.ReadForParent(0, null, 10, 1 << 20);
        var second = reader.ReadForParent(first.ThroughSeq, null, 10, 1 << 20);
        var third = reader.ReadForParent(second.ThroughSeq, null, 10, 1 << 20);

        Assert.Equal(10, first.Changes.Count);
        Assert.Equal(first.Changes[^1].Seq, first.ThroughSeq);
        Assert.Equal("n10", second.Changes[0].Key);
        Assert.Equal(5, third.Changes.Count);
        Assert.Single(first.Tables);
        Assert.Equal(["id", "scope", "body", "n"], first.Tables[0].Columns);
    }

    [Fact]
    public void ReadForParent_MaxBytes_BoundsBatch()
    {
        for (var i = 0; i < 10; i++)
        {
            _a.Write($"n{i}", V1, new string('x', 1000));
        }

        var batch = new ChangeReader(_a.Store).ReadForParent(0, null, 100, 4096);

        Assert.InRange(batch.Changes.Count, 1, 4);
        Assert.Equal(batch.Changes[^1].Seq, batch.ThroughSeq);
    }

    [Fact]
    public void ReadForChild_Scopes_SendsOnlyRowsInsideChildScopeAndGlobals()
    {
        _a.WriteGlobal("g", "cat");
        _a.Write("mine", V1, "x");
        _a.Write("sibling", V2, "x");
        _a.Write("township", T1, "x");

        var batch = new ChangeReader(_a.Store).ReadForChild(0, long.MaxValue, "t01-v01", V1, 100, 1 << 20);

        Assert.Equal(["g", "mine"], batch.Changes.Select(c => c.Key));
        Assert.All(batch.Changes, c => Assert.False(c.Deleted));
        Assert.Equal(_a.Count("SELECT MAX(seq) FROM _sync_log"), batch.ThroughSeq);
    }

    [Fact]
    public void ReadForChild_RowMovedOut_SendsDeleteToOldScopeAndUpsertToNew()
    {
        _a.Write("n1", V1, "x");
        _a.Write("n1", V2, "moved");
        var reader = new ChangeReader(_a.Store);

        var old = reader.ReadForChild(0, long.MaxValue, "t01-v01", V1, 100, 1 << 20);
        var @new = reader.ReadForChild(0, long.MaxValue, "t01-v02", V2, 100, 1 << 20);
        var other = reader.ReadForChild(0, long.MaxValue, "t02-v01", "city/t02/t02-v01", 100, 1 << 20);

        Assert.True(Assert.Single(old.Changes).Deleted);
        Assert.Equal(V2, old.Changes[0].Partition);
        Assert.False(Assert.Single(@new.Changes).Deleted);
        Assert.Equal("moved", RowCodec.Decode(@new.Changes[0].Row.Span)[2]);
        Assert.Empty(other.Changes);
    }

    [Fact]
    public void ReadForChild_DeletedRow_TombstoneOnlyWithinScope()
    {
        _a.Write("n1", V1, "x");
        _a.Delete(TestSchema.Notes, "n1");
        var reader = new ChangeReader(_a.Store);

        var inside = reader.ReadForChild(0, long.MaxValue, "t01-v01", V1, 100, 1 << 20);
        var outside = reader.ReadForChild(0, long.MaxValue, "t01-v02", V2, 100, 1 << 20);

        Assert.True(Assert.Single(inside.Changes).Deleted);
        Assert.True(inside.Changes[0].Row.IsEmpty);
        Assert.Empty(outside.Changes);
    }

    [Fact]
    public void ReadForChild_ChangesFromThatChild_NotEchoedUnlessIncludeOwn()
    {
        new ChangeApplier(_a.Store).Apply(Batch(_b, () => _b.Write("n1", V1, "from child")), "t01-v01");
        var reader = new ChangeReader(_a.Store);

        Assert.Empty(reader.ReadForChild(0, long.MaxValue, "t01-v01", V1, 100, 1 << 20).Changes);
        Assert.Single(reader.ReadForChild(0, long.MaxValue, "t01-v01", V1, 100, 1 << 20, includeOwn: true).Changes);
    }

    [Fact]
    public void Apply_SameBatchTwice_SecondSkipsEverythingAndChangesNothing()
    {
        var batch = Batch(_b, () =>
        {
            _b.Write("n1", V1, "x", 1);
            _b.Write("n2", V1, "y", 2);
            _b.Delete(TestSchema.Notes, "n2");
        });
        var applier = new ChangeApplier(_a.Store);

        var first = applier.Apply(batch, "b");
        var log = _a.Query("SELECT * FROM _sync_log ORDER BY pk");
        var second = applier.Apply(batch, "b");

        Assert.Equal(new ApplyResult(2, 0, 0), first);
        Assert.Equal(new ApplyResult(0, 2, 0), second);
        Assert.Equal(log, _a.Query("SELECT * FROM _sync_log ORDER BY pk"));
        Assert.Equal([$"n1|{V1}|x|1"], _a.Notes());
    }

    [Fact]
    public void Apply_OlderConcurrentVersion_SkippedAndConflictRecorded()
    {
        var older = Batch(_b, () => _b.Write("n1", V1, "b's edit"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _a.Write("n1", V1, "a's edit");

        var result = new ChangeApplier(_a.Store).Apply(older, "b");

        Assert.Equal(new ApplyResult(0, 1, 1), result);
        Assert.Equal([$"n1|{V1}|a's edit|∅"], _a.Notes());
        Assert.Equal(["n1|a|b"], _a.Query("SELECT pk, winner_origin, loser_origin FROM _sync_conflicts"));
    }

    [Fact]
    public void Apply_NewerConcurrentVersion_OverwritesAndConflictRecorded()
    {
        _a.Write("n1", V1, "a's edit");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var newer = Batch(_b, () => _b.Write("n1", V1, "b's edit"));

        var result = new ChangeApplier(_a.Store).Apply(newer, "b");

        Assert.Equal(new ApplyResult(1, 0, 1), result);
        Assert.Equal([$"n1|{V1}|b's edit|∅"], _a.Notes());
        Assert.Equal(["n1|b|a"], _a.Query("SELECT pk, winner_origin, loser_origin FROM _sync_conflicts"));
    }

    [Fact]
    public void Apply_SuccessorOfHeldVersion_NoConflict()
    {
        _a.Write("n1", V1, "filed");
        new ChangeApplier(_b.Store).Apply(new ChangeReader(_a.Store).ReadForParent(0, null, 100, 1 << 20), "a");
        var successor = Batch(_b, () => _b.Write("n1", V1, "decided"), afterSeq: _b.Count("SELECT MAX(seq) FROM _sync_log"));

        var result = new ChangeApplier(_a.Store).Apply(successor, "b");

        Assert.Equal(new ApplyResult(1, 0, 0), result);
        Assert.Equal(0, _a.Count("SELECT COUNT(*) FROM _sync_conflicts"));
    }

    [Fact]
    public void Apply_BatchOutOfOrder_HighestVersionWins()
    {
        var v1 = Batch(_b, () => _b.Write("n1", V1, "one"));
        var v2 = Batch(_b, () => _b.Write("n1", V1, "two"), afterSeq: v1.ThroughSeq);
        var applier = new ChangeApplier(_a.Store);

        applier.Apply(v2, "b");
        var late = applier.Apply(v1, "b");

        Assert.Equal(new ApplyResult(0, 1, 0), late);
        Assert.Equal([$"n1|{V1}|two|∅"], _a.Notes());
    }

    [Fact]
    public void Apply_AppliedHook_RunsInsideTransactionWithAppliedChanges()
    {
        var seen = new List<AppliedChange>();
        long rowsInsideTx = -1;
        _a.Store.Applied += (conn, tx, changes) =>
        {
            seen.AddRange(changes);
            using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT COUNT(*) FROM notes";
            rowsInsideTx = (long)cmd.ExecuteScalar()!;
        };

        new ChangeApplier(_a.Store).Apply(Batch(_b, () => { _b.Write("n1", V1, "x"); _b.Write("n2", V1, "y"); }), "b");

        Assert.Equal([new AppliedChange("notes", "n1", false), new AppliedChange("notes", "n2", false)], seen);
        Assert.Equal(2, rowsInsideTx);
    }

    [Fact]
    public void Apply_AppliedHookRejectsChange_ChangeParkedNothingOfItWritten()
    {
        _a.Store.Applied += (_, _, _) => throw new InvalidOperationException("derived table failed");

        var result = new ChangeApplier(_a.Store).Apply(Batch(_b, () => _b.Write("n1", V1, "x")), "b");

        Assert.Equal((0, 1), (result.Applied, result.Parked));
        Assert.Empty(_a.Notes());
        Assert.Equal(0, _a.Count("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal("derived table failed", Assert.Single(_a.Store.ReadParked()).Reason);
    }

    [Fact]
    public void Apply_AppliedHookFailsWithStoreError_WholeBatchRolledBackAndThrown()
    {
        // Not the data's fault (a disk, a lock): nothing is parked, the sender sends the batch again later.
        _a.Store.Applied += (_, _, _) => throw new IOException("disk full");

        Assert.Throws<IOException>(() => new ChangeApplier(_a.Store).Apply(Batch(_b, () => _b.Write("n1", V1, "x")), "b"));

        Assert.Empty(_a.Notes());
        Assert.Equal(0, _a.Count("SELECT COUNT(*) FROM _sync_log"));
        Assert.Empty(_a.Store.ReadParked());
    }

    [Fact]
    public void Apply_RemoteClockAhead_LaterLocalWritesOrderAfterIt()
    {
        var ahead = new FakeTimeProvider(_time.GetUtcNow().AddHours(1));
        var batch = new ChangeBatch { Sender = "b", ThroughSeq = 1 };
        batch.Tables.Add(new TableColumns { Table = "notes", Columns = { "id", "scope", "body", "n" } });
        var remote = new HybridLogicalClock(ahead).Next();
        batch.Changes.Add(new Change { Table = "notes", Key = "n1", Partition = V1, Hlc = remote, Origin = "b", Row = RowCodec.Encode(["n1", V1, "x", null]) });

        new ChangeApplier(_a.Store).Apply(batch, "b");
        _a.Write("n1", V1, "local after");

        Assert.True(_a.Count("SELECT hlc FROM _sync_log WHERE pk = 'n1'") > remote);
    }

    [Fact]
    public void Next_WallClockGoesBack_StillIncreases()
    {
        var time = new ManualTime { Now = _time.GetUtcNow() };
        var clock = new HybridLogicalClock(time);
        var a = clock.Next();
        time.Now = time.Now.AddMinutes(-5);
        var b = clock.Next();
        var c = clock.Next();

        Assert.True(a < b && b < c);
        Assert.Equal(_time.GetUtcNow(), HybridLogicalClock.ToTime(c));
    }

    [Fact]
    public void Compare_EqualHlc_OrdersByOrigin()
    {
        Assert.True(HybridLogicalClock.Compare(5, "city", 5, "t01") < 0);
        Assert.True(HybridLogicalClock.Compare(6, "a", 5, "z") > 0);
        Assert.Equal(0, HybridLogicalClock.Compare(5, "x", 5, "x"));
    }

    [Theory]
    [InlineData("city", "city/t01/t01-v01", true)]
    [InlineData("city/t01", "city/t01", true)]
    [InlineData("city/t01", "city/t010/x", false)]
    [InlineData("city/t01/t01-v01", "city/t01", false)]
    [InlineData("city/t01", null, true)]
    [InlineData("city/t01", "city/t02/t02-v01", false)]
    public void Contains_ScopePaths_MatchOnSegmentBoundaries(string node, string? row, bool expected) =>
        Assert.Equal(expected, Scope.Contains(node, row));

    [Fact]
    public void Upsert_RowOutsideNodeScope_ThrowsAndWritesNothing()
    {
        _a.Store.SetNodeScope(V1);

        Assert.Throws<ArgumentException>(() => _a.Write("n1", V2, "x"));

        Assert.Empty(_a.Notes());
        Assert.Equal(0, _a.Count("SELECT COUNT(*) FROM _sync_log"));
    }

    /// <summary>Runs <paramref name="write"/> on <paramref name="node"/> and returns its new changes as one batch.</summary>
    private static ChangeBatch Batch(TestNode node, Action write, long afterSeq = 0)
    {
        write();
        return new ChangeReader(node.Store).ReadForParent(afterSeq, null, 1000, 1 << 20);
    }

    /// <summary>A clock that can be set backwards, as a badly set PC clock can.</summary>
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
