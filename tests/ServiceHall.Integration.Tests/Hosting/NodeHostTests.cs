using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Protos.V1;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>A real node on Kestrel (127.0.0.1, dynamic port) answering tools that no one here wrote.</summary>
public sealed class NodeHostTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private GrpcChannel? _channel;
    private Grpc.Core.Metadata _admin = [];

    public async ValueTask InitializeAsync()
    {
        _app = NodeProgram.Build(["--id", "city", "--listen", "http://127.0.0.1:0", "--insecure-cleartext", "--data", _dir], NodeLevel.City, null, null, TimeProvider.System);
        _app.InitializeServiceHallStore();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _channel = GrpcChannel.ForAddress(NodeProgram.BoundAddress(_app));
        _admin = ClerkCredentials.FirstAdministrator(_dir);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task HealthCheck_RunningNode_Serving()
    {
        var health = new Health.HealthClient(_channel);
        var reply = await health.CheckAsync(new HealthCheckRequest { Service = "" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesServiceHallContracts()
    {
        var reflection = new ServerReflection.ServerReflectionClient(_channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, TestContext.Current.CancellationToken);
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("servicehall.v1.NodeAdmin", names);
        Assert.Contains("grpc.health.v1.Health", names);
        Assert.Contains("servicehall.v1.Catalogue", names);
    }

    [Fact]
    public async Task GetStatus_City_ReportsIdentityStoreAndSchema()
    {
        var admin = new NodeAdmin.NodeAdminClient(_channel);
        var status = await admin.GetStatusAsync(new GetStatusRequest(), _admin, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("city", status.NodeId);
        Assert.Equal(ServiceHall.Protos.V1.NodeLevel.City, status.Level);
        Assert.Equal("city", status.Scope);
        Assert.Equal("sqlite", status.StoreProvider);
        Assert.EndsWith("city.db", status.Store, StringComparison.Ordinal);
        Assert.True(status.SchemaVersions["sync"] >= 1);
        Assert.True(status.SchemaVersions["servicehall"] >= 1);
        Assert.Equal(Environment.ProcessId, status.Pid);
        Assert.True(status.UptimeSeconds >= 0);
        Assert.True(File.Exists(Path.Combine(_dir, "city.db")));
    }

    [Fact]
    public async Task AdminCalls_WithoutOrWithWrongCredential_Unauthenticated_NothingRegistered()
    {
        var admin = new NodeAdmin.NodeAdminClient(_channel);
        var request = new RegisterNodeRequest { Id = "t01-v88", Level = ServiceHall.Protos.V1.NodeLevel.Village, ParentId = "t01" };
        var wrong = new Grpc.Core.Metadata { { "authorization", "Basic " + Convert.ToBase64String("admin:not-the-secret"u8.ToArray()) } };
        foreach (var headers in new[] { [], wrong, new Grpc.Core.Metadata { { "authorization", "Bearer x" } } })
        {
            var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await admin.RegisterNodeAsync(request, headers, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, e.StatusCode);
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, (await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
                await admin.GetStatusAsync(new GetStatusRequest(), headers, cancellationToken: TestContext.Current.CancellationToken))).StatusCode);
        }

        var nodes = await new Catalogue.CatalogueClient(_channel).ListNodesAsync(new ListNodesRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(nodes.Nodes, n => n.Id == "t01-v88");
    }

    [Fact]
    public async Task ListItems_City_ServesSeededCatalogue()
    {
        var catalogue = new Catalogue.CatalogueClient(_channel);
        var items = await catalogue.ListItemsAsync(new ListItemsRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(items.Items.Count >= 20);
        var bizReg = Assert.Single(items.Items, i => i.Code == "CITY-BIZ-REG");
        Assert.Equal(4, bizReg.ReviewDepartments.Count);
        var calendar = await catalogue.GetCalendarAsync(new GetCalendarRequest { Year = 2026 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(calendar.Days, d => d.Date == "2026-02-14" && d.Working);
    }

    [Fact]
    public async Task RegisterNode_NewVillage_CreatedOnceWithScope()
    {
        var admin = new NodeAdmin.NodeAdminClient(_channel);
        var request = new RegisterNodeRequest { Id = "t01-v77", Level = ServiceHall.Protos.V1.NodeLevel.Village, ParentId = "t01", Name = "测试村" };
        var first = await admin.RegisterNodeAsync(request, _admin, cancellationToken: TestContext.Current.CancellationToken);
        var again = await admin.RegisterNodeAsync(request, _admin, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal("city/t01/t01-v77", first.Scope);
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await admin.RegisterNodeAsync(new RegisterNodeRequest { Id = "X!", Level = ServiceHall.Protos.V1.NodeLevel.Village, ParentId = "t01" }, _admin, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode);
    }
}
