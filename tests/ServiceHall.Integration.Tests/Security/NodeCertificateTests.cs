using Grpc.Core;
using ServiceHall.Cli.Profiles;
using ServiceHall.Cli.Security;
using ServiceHall.Protos.V1;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Security;

/// <summary>Node identity over mutual TLS between real nodes: enrolment, stolen credentials, revocation.</summary>
public sealed class NodeCertificateTests
{
    private static readonly string LogRows = "SELECT COUNT(*) FROM _sync_log";

    [Fact(Timeout = 120_000)]
    public async Task SecuredNetwork_EnrolledNodes_SyncOverMutualTls()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = await SecuredNetwork.StartAsync(ct);

        var status = await net.Admin("t01-v01").GetStatusAsync(new GetStatusRequest(), cancellationToken: ct);

        Assert.Equal("city/t01/t01-v01", status.Scope);
        Assert.Equal("online", Assert.Single(status.Peers).State);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(net.Data("city"), "tls", "ca.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(net.Data("t01-v01"), "tls", "node.key")));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task StolenVillageCertificate_CannotSyncAsAnotherVillageOrItsTownship()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = await SecuredNetwork.StartAsync(ct);
        using var stolen = net.NodeCertificate("t01-v01");
        var atTownship = new Protos.V1.Sync.SyncClient(net.Channel(net.Urls["t01"], stolen, net.Operator.Ca));
        var atCity = new Protos.V1.Sync.SyncClient(net.Channel(net.Urls["city"], stolen, net.Operator.Ca));
        var before = (net.Count("t01", LogRows), net.Count("city", LogRows));
        // The header claim of the cleartext mode counts for nothing here: the certificate names the caller.
        var claim = new Metadata { { SyncProtocol.NodeHeader, "t01-v02" } };

        var asSibling = await Assert.ThrowsAsync<RpcException>(async () => await atTownship.HandshakeAsync(Hello("t01-v02"), claim, cancellationToken: ct));
        var asTownship = await Assert.ThrowsAsync<RpcException>(async () => await atCity.HandshakeAsync(Hello("t01"), new Metadata { { SyncProtocol.NodeHeader, "t01" } }, cancellationToken: ct));
        var siblingRows = await Assert.ThrowsAsync<RpcException>(() => PushAsync(atTownship, claim, "t01-v02", "city/t01/t01-v02", ct));
        var townshipRows = await Assert.ThrowsAsync<RpcException>(() => PushAsync(atTownship, claim, "t01", "city/t01", ct));
        var admin = await Assert.ThrowsAsync<RpcException>(async () =>
            await new NodeAdmin.NodeAdminClient(net.Channel(net.Urls["city"], stolen, net.Operator.Ca)).RegisterNodeAsync(
                new RegisterNodeRequest { Id = "t09", Level = Protos.V1.NodeLevel.Township, ParentId = "city" }, cancellationToken: ct));

        Assert.Equal(StatusCode.PermissionDenied, asSibling.StatusCode);
        Assert.Contains("the caller is node 't01-v01'", asSibling.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, asTownship.StatusCode);
        Assert.Contains("t01-v01 is not a registered child of city", asTownship.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, siblingRows.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, townshipRows.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, admin.StatusCode);
        Assert.Equal(before, (net.Count("t01", LogRows), net.Count("city", LogRows)));
    }

    [Fact(Timeout = 120_000)]
    public async Task CallsWithoutACertificateOfTheCityCa_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = await SecuredNetwork.StartAsync(ct);
        var anonymous = new Protos.V1.Sync.SyncClient(net.Channel(net.Urls["t01"], client: null, net.Operator.Ca));
        var header = new Metadata { { SyncProtocol.NodeHeader, "t01-v01" } };

        var none = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.HandshakeAsync(Hello("t01-v01"), header, cancellationToken: ct));
        var operatorSync = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Protos.V1.Sync.SyncClient(net.Channel(net.Urls["t01"], net.Operator.Client, net.Operator.Ca)).HandshakeAsync(Hello("t01-v01"), header, cancellationToken: ct));

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, operatorSync.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task RevokedVillage_NextSyncRefusedWhileTheOthersCarryOn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = await SecuredNetwork.StartAsync(ct);

        var revoked = await net.Admin("city").RevokeNodeAsync(new RevokeNodeRequest { Id = "t01-v01", Reason = "station PC stolen" }, cancellationToken: ct);
        var township = await net.SyncNowAsync("t01", ct); // the revocation flows down with the catalogue
        var victim = await net.SyncNowAsync("t01-v01", ct);
        var neighbour = await net.SyncNowAsync("t01-v02", ct);
        var again = await Assert.ThrowsAsync<RpcException>(() => net.RegisterAsync("t01-v01", NodeLevel.Village, "t01", ct));

        Assert.True(revoked.Created);
        Assert.True(township.Ok, township.Error);
        Assert.False(victim.Ok);
        Assert.Contains("PermissionDenied", victim.Error, StringComparison.Ordinal);
        Assert.Contains("revoked", victim.Error, StringComparison.Ordinal);
        Assert.True(neighbour.Ok, neighbour.Error);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Enrol_UsedTokenOrBadRequest_RefusedAndNothingIssued()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var net = await SecuredNetwork.StartAsync(ct);
        var token = await net.RegisterAsync("t01-v03", NodeLevel.Village, "t01", ct);
        var enrolment = new Enrolment.EnrolmentClient(net.Channel(net.Urls["city"], client: null, net.Operator.Ca));

        var badCsr = await Assert.ThrowsAsync<RpcException>(async () =>
            await enrolment.EnrolAsync(new EnrolRequest { NodeId = "t01-v03", Token = token, CsrPem = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----" }, cancellationToken: ct));
        await NodeEnrolment.EnrolAsync(net.Urls["city"], "t01-v03", token, net.Data("t01-v03"), host: null, ct); // the bad request did not spend the token
        var reused = await Assert.ThrowsAsync<RpcException>(() =>
            NodeEnrolment.EnrolAsync(net.Urls["city"], "t01-v03", token, net.Data("t01-v03b"), host: null, ct));
        var wrongNode = await Assert.ThrowsAsync<RpcException>(async () =>
            await NodeEnrolment.EnrolAsync(net.Urls["city"], "t01-v02", await net.RegisterAsync("t01-v04", NodeLevel.Village, "t01", ct), net.Data("x"), host: null, ct));

        Assert.Equal(StatusCode.InvalidArgument, badCsr.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, reused.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrongNode.StatusCode);
        Assert.False(Directory.Exists(net.Data("t01-v03b")));
        Assert.True(File.Exists(Path.Combine(net.Data("t01-v03"), "tls", "node.crt")));
    }

    private static HandshakeRequest Hello(string nodeId) => new()
    {
        NodeId = nodeId, Level = Protos.V1.NodeLevel.Village, ProtocolVersion = SyncProtocol.Version, SchemaVersion = Core.Hosting.ServiceHallSchema.Version,
    };

    private static async Task PushAsync(Protos.V1.Sync.SyncClient client, Metadata headers, string claimed, string partition, CancellationToken ct)
    {
        var batch = new ChangeBatch { Sender = claimed, ThroughSeq = 1 };
        batch.Tables.Add(new TableColumns { Table = "node_links", Columns = { "node_id", "scope", "parent_id", "state", "last_contact", "offline_since", "last_error", "reported_at" } });
        batch.Changes.Add(new Change
        {
            Table = "node_links", Key = claimed, Partition = partition, Hlc = 1L << 40, Origin = claimed, Seq = 1,
            Row = RowCodec.Encode([claimed, partition, "t01", "online", null, null, null, "2026-11-27T08:00:00Z"]),
        });
        using var call = client.Push(headers, cancellationToken: ct);
        await call.RequestStream.WriteAsync(batch, ct);
        await call.RequestStream.CompleteAsync();
        await foreach (var _ in call.ResponseStream.ReadAllAsync(ct))
        {
        }
    }
}
