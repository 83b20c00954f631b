using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Protos.V1;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>
/// Hostile sync input against a real parent (Kestrel on loopback): each is refused with a precise status and leaves the
/// parent's store as it was (rows, change log, conflicts, parked changes).
/// </summary>
public sealed class HostileSyncTests
{
    private static readonly string[] NoteColumns = ["id", "scope", "body", "n"];

    [Theory(Timeout = 30_000)]
    [InlineData("t01-v01", "t01-v02")] // a sibling village
    [InlineData("t01-v01", "t01")] // its own township
    [InlineData("t01-v01", "city")]
    [InlineData("t01-v01", "nobody")] // not in the registry
    [InlineData("t01", "t02-v01")] // a township passing on another township's village
    public async Task Push_ForgedOrigin_PermissionDeniedAndStoreUnchanged(string sender, string origin)
    {
        await using var net = await Network.CreateAsync();
        var parent = sender == "t01" ? net.City : net["t01"];
        var before = Snapshot(parent);
        var batch = Batch(sender, 1, Note("forged", Network.ScopeOf(sender), origin));

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(net[sender], parent, sender, batch));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("outside its subtree", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_RelayedVillageRow_AcceptedFromItsTownship()
    {
        await using var net = await Network.CreateAsync();
        var batch = Batch("t01", 1, Note("relayed", Network.ScopeOf("t01-v01"), "t01-v01"));

        var acks = await PushAsync(net["t01"], net.City, "t01", batch);

        Assert.Equal(1, Assert.Single(acks).Applied);
        Assert.Single(net.City.Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_ForgedSender_PermissionDeniedAndStoreUnchanged()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var before = Snapshot(parent);
        var batch = Batch("t01-v02", 1, Note("n1", Network.ScopeOf("t01-v01"), "t01-v01"));

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(net["t01-v01"], parent, "t01-v01", batch));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_BatchReplayedOnTheSameStream_InvalidArgumentAndReplayNotApplied()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var scope = Network.ScopeOf("t01-v01");
        var first = Batch("t01-v01", 1, Note("n1", scope, "t01-v01"));
        var replay = Batch("t01-v01", 1, Note("n1", scope, "t01-v01", body: "replayed"));

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(net["t01-v01"], parent, "t01-v01", first, replay));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("replayed", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal([$"n1|{scope}|x|∅"], parent.Notes());
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_BatchReplayedOnANewStream_AcknowledgedAsSkippedAndStoreUnchanged()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var batch = Batch("t01-v01", 1, Note("n1", Network.ScopeOf("t01-v01"), "t01-v01"), Note("n2", Network.ScopeOf("t01-v01"), "t01-v01"));
        await PushAsync(net["t01-v01"], parent, "t01-v01", batch);
        var before = Snapshot(parent);

        // A batch sent again on a later call is what a child does after a lost ack: harmless, every change is already held.
        var ack = Assert.Single(await PushAsync(net["t01-v01"], parent, "t01-v01", batch));

        Assert.Equal((0, 2), (ack.Applied, ack.Skipped));
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 60_000)]
    public async Task Push_MoreRowsThanTheBatchLimit_ResourceExhaustedAndStoreUnchanged()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var before = Snapshot(parent);
        var scope = Network.ScopeOf("t01-v01");
        var batch = Batch("t01-v01", SyncProtocol.MaxBatchRows + 1,
            Enumerable.Range(0, SyncProtocol.MaxBatchRows + 1).Select(i => Note($"n{i}", scope, "t01-v01")).ToArray());

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(net["t01-v01"], parent, "t01-v01", batch));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 60_000)]
    public async Task Push_MessageOverTheSizeLimit_ResourceExhaustedAndStoreUnchanged()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var before = Snapshot(parent);
        var change = Note("big", Network.ScopeOf("t01-v01"), "t01-v01", body: new string('x', SyncProtocol.MaxMessageBytes + 1));

        var ct = TestContext.Current.CancellationToken;
        using var channel = net["t01-v01"].RawChannel(parent);
        using var call = new Protos.V1.Sync.SyncClient(channel).Push(new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } }, cancellationToken: ct);
        // The parent may answer (and end the stream) while the message is still being sent, and then reads no more of it:
        // the write can wait for HTTP/2 flow-control credit that never comes. So the answer is awaited beside the write, and
        // the write is abandoned once the answer is in: its own token cancelled (disposing the call alone did not always
        // wake a write waiting for credit on a loaded machine), then the call disposed.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var write = Task.Run(
            async () =>
            {
                try
                {
                    await call.RequestStream.WriteAsync(Batch("t01-v01", 1, change), abandon.Token);
                    await call.RequestStream.CompleteAsync();
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    // The answer is in the response stream.
                }
            },
            ct);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(ct));
        await abandon.CancelAsync();
        call.Dispose();
        await write.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_HugeKey_InvalidArgumentAndStoreUnchanged()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var before = Snapshot(parent);
        var change = Note(new string('k', 100_000), Network.ScopeOf("t01-v01"), "t01-v01");

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(net["t01-v01"], parent, "t01-v01", Batch("t01-v01", 1, change)));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.True(ex.Status.Detail.Length < 1000, "the message quotes a shortened key");
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Push_SqlLookingText_StoredVerbatimNeverExecuted()
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var scope = Network.ScopeOf("t01-v01");
        const string Text = "x'); DROP TABLE notes; --";
        var change = Note("q'\"; DELETE FROM _sync_log; --", scope, "t01-v01", body: Text);

        await PushAsync(net["t01-v01"], parent, "t01-v01", Batch("t01-v01", 1, change));

        Assert.Equal([$"{change.Key}|{scope}|{Text}|∅"], parent.Notes());
        Assert.Equal(1, parent.Count("SELECT COUNT(*) FROM _sync_log"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Push", StatusCode.InvalidArgument)]
    // A unary request is parsed by Grpc.AspNetCore before any of our code runs: MalformedRequestGuard makes that INVALID_ARGUMENT too.
    [InlineData("Handshake", StatusCode.InvalidArgument)]
    public async Task Call_MalformedProtobuf_RefusedAndStoreUnchanged(string method, StatusCode expected)
    {
        await using var net = await Network.CreateAsync();
        var parent = net["t01"];
        var before = Snapshot(parent);
        using var channel = net["t01-v01"].RawChannel(parent);
        var raw = new Marshaller<byte[]>(b => b, b => b);
        // Field 1 announced as a 100-byte string, then the message ends: not a protobuf message of any type.
        byte[] garbage = [0x0A, 0x64, 0x01, 0x02];
        var headers = new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } };
        var ct = TestContext.Current.CancellationToken;

        RpcException ex;
        if (method == "Handshake")
        {
            var unary = new Method<byte[], byte[]>(MethodType.Unary, "servicehall.v1.Sync", method, raw, raw);
            ex = await Assert.ThrowsAsync<RpcException>(async () =>
                await channel.CreateCallInvoker().AsyncUnaryCall(unary, null, new CallOptions(headers, cancellationToken: ct), garbage));
        }
        else
        {
            var duplex = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "servicehall.v1.Sync", method, raw, raw);
            using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(duplex, null, new CallOptions(headers, cancellationToken: ct));
            await call.RequestStream.WriteAsync(garbage, ct);
            await call.RequestStream.CompleteAsync();
            ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(ct));
        }

        Assert.Equal(expected, ex.StatusCode);
        Assert.Equal(before, Snapshot(parent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Calls_OverThePerPeerLimit_ResourceExhaustedWhileOtherPeersCarryOn()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        await using var parent = new TestNode("t01", time) { PeerCallLimit = 4 };
        parent.Store.SetNodeScope("city/t01");
        await parent.StartServerAsync();
        await using var flooder = new TestNode("t01-v01", time);
        await using var neighbour = new TestNode("t01-v02", time);
        parent.AddChild(flooder, "city/t01/t01-v01", NodeLevel.Village);
        parent.AddChild(neighbour, "city/t01/t01-v02", NodeLevel.Village);
        using var channel = flooder.RawChannel(parent);
        var client = new Protos.V1.Sync.SyncClient(channel);
        var headers = new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } };
        var hello = new HandshakeRequest { NodeId = "t01-v01", ProtocolVersion = SyncProtocol.Version, SchemaVersion = 1 };
        for (var i = 0; i < 4; i++)
        {
            await client.HandshakeAsync(hello, headers, cancellationToken: TestContext.Current.CancellationToken);
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.HandshakeAsync(hello, headers, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("t01-v01", ex.Status.Detail, StringComparison.Ordinal);
        neighbour.Write("n1", "city/t01/t01-v02", "still served");
        neighbour.ConnectTo(parent, NodeLevel.Village);
        await neighbour.SyncAsync();
        Assert.Single(parent.Notes());
    }

    private static Change Note(string id, string scope, string origin, string body = "x") => new()
    {
        Table = "notes", Key = id, Partition = scope, Hlc = 1L << 40, Origin = origin, Seq = 1,
        Row = RowCodec.Encode([id, scope, body, null]),
    };

    private static ChangeBatch Batch(string sender, long throughSeq, params Change[] changes)
    {
        var batch = new ChangeBatch { Sender = sender, ThroughSeq = throughSeq };
        batch.Tables.Add(new TableColumns { Table = "notes", Columns = { NoteColumns } });
        batch.Changes.Add(changes);
        return batch;
    }

    /// <summary>Pushes <paramref name="batches"/> on one stream as <paramref name="caller"/> and returns the acks.</summary>
    private static async Task<List<PushAck>> PushAsync(TestNode from, TestNode parent, string caller, params ChangeBatch[] batches)
    {
        var ct = TestContext.Current.CancellationToken;
        using var channel = from.RawChannel(parent);
        var client = new Protos.V1.Sync.SyncClient(channel);
        using var call = client.Push(new Metadata { { SyncProtocol.NodeHeader, caller } }, cancellationToken: ct);
        foreach (var batch in batches)
        {
            await call.RequestStream.WriteAsync(batch, ct);
        }

        await call.RequestStream.CompleteAsync();
        var acks = new List<PushAck>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync(ct))
        {
            acks.Add(ack);
        }

        return acks;
    }

    /// <summary>Everything a push may write, as text: rows, change log, conflicts, parked changes.</summary>
    private static string Snapshot(TestNode node) => string.Join("\n",
        node.Notes().Concat(node.Globals())
            .Concat(node.Query("SELECT tbl, pk, seq, hlc, origin, via FROM _sync_log ORDER BY seq"))
            .Concat(node.Query("SELECT COUNT(*) FROM _sync_conflicts"))
            .Concat(node.Query("SELECT COUNT(*) FROM _sync_parked")));
}
