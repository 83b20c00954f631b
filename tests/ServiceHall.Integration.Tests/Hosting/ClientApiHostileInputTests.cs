using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Protos.V1;
using static ServiceHall.Integration.Tests.Hosting.ClerkCredentials;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>
/// Hostile input on the client API of a real city node (Kestrel, 127.0.0.1): each gets a precise status and the store is
/// unchanged. Raw bytes go through a pass-through marshaller, so the node's own protobuf parsing is what is tested.
/// </summary>
public sealed class ClientApiHostileInputTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private GrpcChannel? _channel;
    private Metadata _window = [];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> RawSubmit = new(MethodType.Unary, "servicehall.v1.Cases", "Submit", Raw, Raw);

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _app = NodeProgram.Build(["--id", "city", "--listen", "http://127.0.0.1:0", "--data", _dir, NodeHostingExtensions.InsecureCleartextSwitch], NodeLevel.City, null, null, TimeProvider.System);
        _app.InitializeServiceHallStore();
        await _app.StartAsync(ct);
        _channel = GrpcChannel.ForAddress(NodeProgram.BoundAddress(_app), new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        await new Clerks.ClerksClient(_channel).AddClerkAsync(
            new AddClerkRequest { Id = "window@city", NodeId = "city", Department = "ADM", Role = ClerkRole.Window, Secret = "a-long-enough-secret" }, FirstAdministrator(_dir), cancellationToken: ct);
        _window = Basic("window@city", "a-long-enough-secret");
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, byte[]> MalformedSubmits => new()
    {
        // field 1 (item) declared 100 bytes long, 3 present
        { "truncated", [0x0A, 0x64, 0x41, 0x42, 0x43] },
        // wire type 7 does not exist
        { "bad wire type", [0x0F, 0x01] },
        // field 2 (applicant_name) holding bytes that are not UTF-8
        { "invalid UTF-8", [0x0A, 0x0C, .. "CITY-BIZ-REG"u8.ToArray(), 0x12, 0x02, 0xC3, 0x28, 0x1A, 0x01, 0x31] },
    };

    /// <summary>
    /// grpc-dotnet parses the request before any service code or interceptor runs; the node's malformed-request guard
    /// turns its parse failure (UNKNOWN "Exception was thrown by handler." by default) into INVALID_ARGUMENT naming the
    /// message and method. Nothing is written.
    /// </summary>
    [Theory]
    [MemberData(nameof(MalformedSubmits))]
    public async Task Submit_MalformedProtobuf_RefusedBeforeTheService_NothingWritten(string what, byte[] body)
    {
        var before = Written();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel!.CreateCallInvoker().AsyncUnaryCall(RawSubmit, null, new CallOptions(_window, cancellationToken: TestContext.Current.CancellationToken), body));
        Assert.True(e.StatusCode == StatusCode.InvalidArgument, $"{what}: {e.Status}");
        Assert.Contains("SubmitCaseRequest", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Written());
    }

    [Fact]
    public async Task Submit_OversizedMessage_ResourceExhausted_NothingWritten()
    {
        var before = Written();
        var request = new SubmitCaseRequest { Item = "CITY-BIZ-REG", ApplicantName = new string('x', 9 * 1024 * 1024), IdNumber = "1" };
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Cases.CasesClient(_channel).SubmitAsync(request, _window, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal(before, Written());
    }

    [Theory]
    [InlineData("NO-SUCH-ITEM", "张三", StatusCode.NotFound)]
    [InlineData("CITY-BIZ-REG", "huge", StatusCode.InvalidArgument)]
    [InlineData("CITY-BIZ-REG", "", StatusCode.InvalidArgument)]
    public async Task Submit_UnknownItemOrBadString_PreciseStatus_NothingWritten(string item, string applicant, StatusCode expected)
    {
        var before = Written();
        var request = new SubmitCaseRequest { Item = item, ApplicantName = applicant == "huge" ? new string('名', 100_000) : applicant, IdNumber = "370982199001010033" };
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Cases.CasesClient(_channel).SubmitAsync(request, _window, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(expected, e.StatusCode);
        Assert.Equal(before, Written());
    }

    [Fact]
    public async Task Submit_SqlLookingText_StoredAndReturnedVerbatim()
    {
        var ct = TestContext.Current.CancellationToken;
        var cases = new Cases.CasesClient(_channel);
        var name = "x'); DROP TABLE cases; --";
        var n = (await cases.SubmitAsync(new SubmitCaseRequest { Item = "CITY-BIZ-REG", ApplicantName = name, IdNumber = "' OR '1'='1" }, _window, cancellationToken: ct)).Number;
        var c = await cases.GetAsync(new GetCaseRequest { Number = n }, _window, cancellationToken: ct);
        Assert.Equal((name, "' OR '1'='1"), (c.ApplicantName, c.IdNumber));
        Assert.Equal(1, Count("SELECT COUNT(*) FROM cases"));
    }

    private long Written() => Count("SELECT COUNT(*) FROM cases") + Count("SELECT COUNT(*) FROM case_events") + Count("SELECT COUNT(*) FROM _sync_log");

    private long Count(string sql)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "city.db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
