using Google.Protobuf;
using Grpc.Core;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>Real Kestrel servers on loopback: a city, two relaying townships, four villages.</summary>
public sealed class NetworkSyncTests
{
    [Fact(Timeout = 30_000)]
    public async Task Sync_GlobalRowWrittenAtCity_ReachesEveryVillage()
    {
        await using var net = await Network.CreateAsync();
        net.City.WriteGlobal("g1", "calendar 2026");
        net.City.WriteGlobal("g2", "item 42");

        await net.ConvergeAsync();

        foreach (var n in net.All)
        {
            Assert.Equal(["g1|calendar 2026", "g2|item 42"], n.Globals());
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_RowWrittenAtVillage_ReachesItsTownshipAndCityOnly()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        v.Write("n1", Network.ScopeOf(v.Id), "hello", 1);

        await net.ConvergeAsync();

        var expected = new List<string> { $"n1|{Network.ScopeOf(v.Id)}|hello|1" };
        Assert.Equal(expected, net.City.Notes());
        Assert.Equal(expected, net["t01"].Notes());
        Assert.Equal(expected, v.Notes());
        Assert.Empty(net["t01-v02"].Notes());
        Assert.Empty(net["t02"].Notes());
        Assert.Empty(net["t02-v01"].Notes());
        Assert.Empty(net["t02-v02"].Notes());
        // Relayed, not re-originated: the city's log keeps the village as origin, the township as sender.
        Assert.Equal(["t01-v01|t01"], net.City.Query("SELECT origin, via FROM _sync_log WHERE pk = 'n1'"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_SameRowWrittenAtTwoLevelsWhileApart_ConvergesAndRecordsConflict()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        var scope = Network.ScopeOf(v.Id);
        v.Write("n1", scope, "base", 0);
        await net.ConvergeAsync();

        // Apart: the village and the city both change the row.
        v.Write("n1", scope, "village edit", 1);
        net.Time.Advance(TimeSpan.FromMilliseconds(5));
        net.City.Write("n1", scope, "city edit", 2);
        await net.ConvergeAsync();

        var winner = new List<string> { $"n1|{scope}|city edit|2" };
        Assert.Equal(winner, net.City.Notes());
        Assert.Equal(winner, net["t01"].Notes());
        Assert.Equal(winner, v.Notes());
        Assert.True(net.City.Count("SELECT COUNT(*) FROM _sync_conflicts WHERE pk = 'n1' AND winner_origin = 'city' AND loser_origin = 't01-v01'") >= 1);
        Assert.True(v.Count("SELECT COUNT(*) FROM _sync_conflicts WHERE pk = 'n1' AND winner_origin = 'city'") >= 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_CausalUpdateAtAnotherLevel_RecordsNoConflict()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        var scope = Network.ScopeOf(v.Id);
        v.Write("n1", scope, "filed", 0);
        await net.ConvergeAsync();
        net.City.Write("n1", scope, "decided", 1);
        await net.ConvergeAsync();
        v.Write("n1", scope, "delivered", 2);
        await net.ConvergeAsync();

        Assert.All(new[] { net.City, net["t01"], v }, n => Assert.Equal([$"n1|{scope}|delivered|2"], n.Notes()));
        Assert.All(net.All, n => Assert.Equal(0, n.Count("SELECT COUNT(*) FROM _sync_conflicts")));
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_Deletes_PropagateWithinFilters()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t02-v02"];
        var scope = Network.ScopeOf(v.Id);
        v.Write("n1", scope, "a");
        v.Write("n2", scope, "b");
        net.City.WriteGlobal("g1", "x");
        await net.ConvergeAsync();

        v.Delete(TestSchema.Notes, "n1");
        net.City.Delete(TestSchema.Globals, "g1");
        await net.ConvergeAsync();

        foreach (var n in new[] { net.City, net["t02"], v })
        {
            Assert.Equal([$"n2|{scope}|b|∅"], n.Notes());
        }

        Assert.All(net.All, n => Assert.Empty(n.Globals()));
        // The tombstone of a village row never reaches another township's subtree.
        Assert.Equal(0, net["t01"].Count("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'notes'"));
        Assert.Equal(0, net["t01-v01"].Count("SELECT COUNT(*) FROM _sync_log WHERE tbl = 'notes'"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_RowMovedToAnotherVillage_LeavesThePeerThatMayNoLongerHoldIt()
    {
        await using var net = await Network.CreateAsync();
        var from = net["t01-v01"];
        from.Write("n1", Network.ScopeOf(from.Id), "a");
        await net.ConvergeAsync();

        // The city reassigns the row to a village of the other township.
        var to = Network.ScopeOf("t02-v01");
        net.City.Write("n1", to, "moved");
        await net.ConvergeAsync();

        Assert.Empty(from.Notes());
        Assert.Empty(net["t01"].Notes());
        Assert.Equal([$"n1|{to}|moved|∅"], net["t02"].Notes());
        Assert.Equal([$"n1|{to}|moved|∅"], net["t02-v01"].Notes());
        Assert.Empty(net["t02-v02"].Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_VillageEditsRowMovedAwayMeanwhile_EditRefusedVisiblyAndRowLeaves()
    {
        await using var net = await Network.CreateAsync();
        var from = net["t01-v01"];
        var scope = Network.ScopeOf(from.Id);
        from.Write("n1", scope, "a");
        await net.ConvergeAsync();
        net.City.Write("n1", Network.ScopeOf("t01-v02"), "moved");
        await net["t01"].SyncAsync();
        net.Time.Advance(TimeSpan.FromMilliseconds(10));
        from.Write("n1", scope, "late edit at the old village");

        await net.ConvergeAsync();

        Assert.Empty(from.Notes());
        Assert.Equal([$"n1|{Network.ScopeOf("t01-v02")}|moved|∅"], net["t01-v02"].Notes());
        Assert.Equal(net.City.Notes(), net["t01"].Notes());
        Assert.True(net["t01"].Count("SELECT COUNT(*) FROM _sync_conflicts WHERE pk = 'n1' AND loser_origin = 't01-v01'") >= 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task Pull_ConnectionCutMidStream_LosesAndDoublesNothing()
    {
        var options = new SyncOptions { BatchRows = 10 };
        await using var net = await Network.CreateAsync(options);
        for (var i = 0; i < 200; i++)
        {
            net.City.WriteGlobal($"g{i:D3}", new string('x', 50));
        }

        var t = net["t01"];
        t.Faults.CutNext("Pull", 4000);
        await Assert.ThrowsAnyAsync<Exception>(t.SyncAsync);
        Assert.Equal(1, t.Faults.Cuts);
        var partial = t.Globals().Count;
        Assert.InRange(partial, 1, 199);
        Assert.Equal(partial, t.Count("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal("offline", new SyncStatusReader(t.Store).Read().Single(p => p.Relation == "parent").State);

        var round = await t.SyncAsync();

        Assert.Equal(200 - partial, round.Pulled);
        Assert.Equal(0, round.Skipped);
        Assert.Equal(net.City.Globals(), t.Globals());
        Assert.Equal("online", new SyncStatusReader(t.Store).Read().Single(p => p.Relation == "parent").State);
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_AcksLostMidStream_ReappliesNothing()
    {
        var options = new SyncOptions { BatchRows = 10, PushWindow = 2 };
        await using var net = await Network.CreateAsync(options);
        var v = net["t01-v02"];
        var scope = Network.ScopeOf(v.Id);
        for (var i = 0; i < 100; i++)
        {
            v.Write($"n{i:D3}", scope, "body", i);
        }

        Assert.Equal(100, new SyncStatusReader(v.Store).PendingUpstream());
        v.Faults.CutNext("Push", 30);
        await Assert.ThrowsAnyAsync<Exception>(v.SyncAsync);
        var appliedBeforeCut = net["t01"].Count("SELECT COUNT(*) FROM notes");
        Assert.InRange(appliedBeforeCut, 1, 100);

        var round = await v.SyncAsync();

        Assert.Equal(v.Notes(), net["t01"].Notes());
        Assert.Equal(100, net["t01"].Count("SELECT COUNT(*) FROM _sync_log"));
        Assert.Equal(0, new SyncStatusReader(v.Store).PendingUpstream());
        Assert.True(round.Pushed >= 100 - appliedBeforeCut);
    }

    [Fact(Timeout = 30_000)]
    public async Task Pull_TransactionCommittingLate_IsStillSent()
    {
        await using var net = await Network.CreateAsync();
        var t = net["t01"];
        using (var late = net.City.Store.BeginWrite())
        {
            late.Upsert(TestSchema.Globals, ["late", "begun first"]);
            // While it is open, the township pulls: it must not skip past the uncommitted change.
            var before = await t.SyncAsync();
            Assert.Equal(0, before.Pulled);
            late.Commit();
        }

        net.City.WriteGlobal("after", "committed later, sequenced later");
        await t.SyncAsync();

        Assert.Equal(["after|committed later, sequenced later", "late|begun first"], t.Globals());
    }

    [Fact(Timeout = 30_000)]
    public async Task Handshake_ProtocolMismatch_FailsWithFailedPrecondition()
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01"].RawChannel(net.City);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var headers = new Metadata { { SyncProtocol.NodeHeader, "t01" } };

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.HandshakeAsync(
            new HandshakeRequest { NodeId = "t01", ProtocolVersion = SyncProtocol.Version + 1, SchemaVersion = 1 }, headers, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("upgrade node city", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handshake_SchemaMismatch_FailsWithFailedPrecondition()
    {
        await using var net = await Network.CreateAsync();
        await using var old = new TestNode("t01-v09", net.Time, TestSchema.Create(version: 0));
        net["t01"].AddChild(old, Network.ScopeOf(old.Id), NodeLevel.Village);
        old.ConnectTo(net["t01"], NodeLevel.Village);

        var ex = await Assert.ThrowsAsync<RpcException>(old.SyncAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("upgrade node t01-v09", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("FailedPrecondition", old.Store.ReadParent()!.LastError, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null, StatusCode.Unauthenticated)]
    [InlineData("t01-v02", StatusCode.PermissionDenied)]
    [InlineData("t02-v01", StatusCode.PermissionDenied)]
    public async Task Handshake_WrongOrForeignIdentity_IsRefused(string? header, StatusCode expected)
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01-v01"].RawChannel(net["t01"]);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var headers = new Metadata();
        if (header is not null)
        {
            headers.Add(SyncProtocol.NodeHeader, header);
        }

        var request = new HandshakeRequest { NodeId = header == "t02-v01" ? "t02-v01" : "t01-v01", ProtocolVersion = SyncProtocol.Version, SchemaVersion = 1 };
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.HandshakeAsync(request, headers, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(expected, ex.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_AnotherVillagesPartition_PermissionDeniedAndNothingApplied()
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01-v01"].RawChannel(net["t01"]);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var headers = new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } };
        var own = Network.ScopeOf("t01-v01");
        var other = Network.ScopeOf("t01-v02");
        var batch = new ChangeBatch { Sender = "t01-v01", ThroughSeq = 2 };
        batch.Tables.Add(new TableColumns { Table = "notes", Columns = { "id", "scope", "body", "n" } });
        batch.Changes.Add(Note("legit", own, 1));
        batch.Changes.Add(Note("forged", other, 2));

        using var call = client.Push(headers, cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(batch, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("t01-v02", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(net["t01"].Notes());
        Assert.Equal(0, net["t01"].Count("SELECT COUNT(*) FROM _sync_log"));

        static Change Note(string id, string scope, long seq) => new()
        {
            Table = "notes", Key = id, Partition = scope, Hlc = 1L << 40, Origin = "t01-v01", Seq = seq,
            Row = RowCodec.Encode([id, scope, "x", null]),
        };
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_DownOnlyTableFromChild_PermissionDenied()
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01"].RawChannel(net.City);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var batch = new ChangeBatch { Sender = "t01", ThroughSeq = 1 };
        batch.Tables.Add(new TableColumns { Table = "globals", Columns = { "id", "body" } });
        batch.Changes.Add(new Change { Table = "globals", Key = "g", Hlc = 1L << 40, Origin = "t01", Row = RowCodec.Encode(["g", "forged"]) });

        using var call = client.Push(new Metadata { { SyncProtocol.NodeHeader, "t01" } }, cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(batch, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Empty(net.City.Globals());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("too few values")]
    [InlineData("invalid UTF-8")]
    [InlineData("cut short")]
    [InlineData("not a row")]
    public async Task Push_MalformedRow_InvalidArgument(string defect)
    {
        await using var net = await Network.CreateAsync();
        using var channel = net["t01-v01"].RawChannel(net["t01"]);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var scope = Network.ScopeOf("t01-v01");
        var batch = new ChangeBatch { Sender = "t01-v01", ThroughSeq = 1 };
        batch.Tables.Add(new TableColumns { Table = "notes", Columns = { "id", "scope", "body", "n" } });
        batch.Changes.Add(new Change { Table = "notes", Key = "n", Partition = scope, Hlc = 1L << 40, Origin = "t01-v01", Row = MalformedRow(defect, scope) });

        using var call = client.Push(new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } }, cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(batch, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Empty(net["t01"].Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_GoodBatchThenBadOne_FirstAppliedAndAcknowledged_SecondRefused()
    {
        // The parent reads the next batch while it applies the current one: a bad batch behind a good one
        // must still leave the good one applied and acknowledged, and nothing of the bad one.
        await using var net = await Network.CreateAsync();
        using var channel = net["t01-v01"].RawChannel(net["t01"]);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var scope = Network.ScopeOf("t01-v01");
        ChangeBatch Batch(long seq, ByteString row)
        {
            var b = new ChangeBatch { Sender = "t01-v01", ThroughSeq = seq };
            b.Tables.Add(new TableColumns { Table = "notes", Columns = { "id", "scope", "body", "n" } });
            b.Changes.Add(new Change { Table = "notes", Key = $"n{seq}", Partition = scope, Hlc = (1L << 40) + seq, Origin = "t01-v01", Seq = seq, Row = row });
            return b;
        }

        using var call = client.Push(new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } }, cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(Batch(1, RowCodec.Encode(["n1", scope, "good", 1L])), TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(Batch(2, RowCodec.Encode(["n2"])), TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(1, call.ResponseStream.Current.ThroughSeq);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal([$"n1|{scope}|good|1"], net["t01"].Notes());
    }

    private static ByteString MalformedRow(string defect, string scope)
    {
        var good = RowCodec.Encode(["n", scope, "body", 1L]).ToByteArray();
        switch (defect)
        {
            case "too few values":
                return RowCodec.Encode(["n"]);
            case "invalid UTF-8":
                var bad = RowCodec.Encode(["n", scope, "b\u00e9dy", 1L]).ToByteArray();
                var at = Array.IndexOf(bad, (byte)0xC3);
                bad[at] = 0xFF; // not a UTF-8 lead byte
                return ByteString.CopyFrom(bad);
            case "cut short":
                return ByteString.CopyFrom(good, 0, good.Length - 3);
            default:
                return ByteString.CopyFromUtf8("SELECT * FROM notes; -- not protobuf");
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Sync_RebuiltVillageStore_GetsItsOwnRowsBack()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t01-v01"];
        var scope = Network.ScopeOf(v.Id);
        v.Write("n1", scope, "mine");
        net["t01-v02"].Write("n2", Network.ScopeOf("t01-v02"), "not mine");
        net.City.WriteGlobal("g1", "catalogue");
        await net.ConvergeAsync();

        // The station's PC dies: a new store with the same identity.
        await using var fresh = new TestNode(v.Id, net.Time);
        fresh.ConnectTo(net["t01"], NodeLevel.Village);
        await fresh.SyncAsync();

        Assert.Equal([$"n1|{scope}|mine|∅"], fresh.Notes());
        Assert.Equal(["g1|catalogue"], fresh.Globals());
        Assert.Equal(scope, fresh.Store.NodeScope);
    }

    [Fact(Timeout = 30_000)]
    public async Task Status_AfterRounds_ShowsPeersCursorsAndPending()
    {
        await using var net = await Network.CreateAsync();
        var v = net["t02-v01"];
        v.Write("n1", Network.ScopeOf(v.Id), "a");
        v.Write("n2", Network.ScopeOf(v.Id), "b");

        var before = new SyncStatusReader(v.Store).Read().Single();
        Assert.Equal(2, before.Pending);
        await v.SyncAsync();

        var parent = new SyncStatusReader(v.Store).Read().Single();
        Assert.Equal(("t02", "parent", "online", 0L), (parent.PeerId, parent.Relation, parent.State, parent.Pending));
        Assert.True(parent.PushCursor >= 2);
        var child = new SyncStatusReader(net["t02"].Store).Read().Single(p => p.PeerId == v.Id);
        Assert.Equal(("child", "online", Network.ScopeOf(v.Id)), (child.Relation, child.State, child.Scope));
    }
}
