using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using ServiceHall.Protos.V1;
using static ServiceHall.Integration.Tests.Hosting.ClerkCredentials;
using NodeLevel = ServiceHall.Core.Nodes.NodeLevel;

namespace ServiceHall.Integration.Tests.Hosting;

/// <summary>
/// Clerk credentials across a real network: city, township t01 and its villages t01-v01 and t01-v02, each a node on
/// Kestrel (127.0.0.1, dynamic port) with its own SQLite store, syncing over gRPC. Clerks are created at the city through
/// the Clerks service and reach only the nodes of their subtree; a village's stolen credential reads and writes nothing
/// outside its village and takes no township action, and every refusal leaves the stores as they were.
/// </summary>
public sealed class ClerkNetworkTests : IAsyncLifetime
{
    private const string Secret = "a-long-enough-secret";
    private readonly LoopbackNetwork _network = new();

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await StartAsync("city", NodeLevel.City, null);
        var clerks = new Clerks.ClerksClient(Channel("city"));
        var admin = FirstAdministrator(Path.Combine(_network.Directory, "city"));
        foreach (var (id, node, department, role) in new[]
        {
            ("window@t01-v01", "t01-v01", "VC", ClerkRole.Window),
            ("window@t01-v02", "t01-v02", "VC", ClerkRole.Window),
            ("window@t01", "t01", "ADM", ClerkRole.Window),
        })
        {
            await clerks.AddClerkAsync(new AddClerkRequest { Id = id, NodeId = node, Department = department, Role = role, Secret = Secret }, admin, cancellationToken: ct);
        }

        await StartAsync("t01", NodeLevel.Township, "city");
        await SyncAsync("t01");
        await StartAsync("t01-v01", NodeLevel.Village, "t01");
        await StartAsync("t01-v02", NodeLevel.Village, "t01");
        await SyncAsync("t01-v01");
        await SyncAsync("t01-v02");
    }

    public ValueTask DisposeAsync() => _network.DisposeAsync();

    [Fact]
    public async Task StolenVillageCredential_CannotReadOrWriteAnotherVillage_NorActAsItsTownship()
    {
        var ct = TestContext.Current.CancellationToken;
        var v01 = Basic("window@t01-v01", Secret);
        var v02 = Basic("window@t01-v02", Secret);

        // Each village files a township item and routes it up; the township holds both after the villages push.
        var own = await FileAndRouteAsync("t01-v01", v01, "TWN-INDIV-BIZ");
        var other = await FileAndRouteAsync("t01-v02", v02, "TWN-INDIV-BIZ");
        await SyncAsync("t01-v01");
        await SyncAsync("t01-v02");
        await SyncAsync("t01");
        var atTownship = new Cases.CasesClient(Channel("t01"));
        Assert.Equal(2, (await atTownship.ListAsync(new ListCasesRequest(), Basic("window@t01", Secret), cancellationToken: ct)).Cases.Count);

        var before = _network.Ids.ToDictionary(n => n, Written);

        // At the township, the stolen v01 credential sees only v01's case …
        Assert.Equal([own], (await atTownship.ListAsync(new ListCasesRequest(), v01, cancellationToken: ct)).Cases.Select(c => c.Number));
        await Denied(() => atTownship.GetAsync(new GetCaseRequest { Number = other }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "outside the subtree");

        // … and takes no township action, on either case.
        foreach (var n in new[] { own, other })
        {
            await Denied(() => atTownship.AcceptAsync(new CaseActionRequest { Number = n }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "cannot act on cases at t01");
            await Denied(() => atTownship.RouteAsync(new RouteRequest { Number = n, TargetNode = "city", TargetLevel = ServiceHall.Protos.V1.NodeLevel.City }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "t01");
        }

        await Denied(() => atTownship.SubmitAsync(new SubmitCaseRequest { Item = "TWN-INDIV-BIZ", ApplicantName = "x", IdNumber = "1" }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "t01");
        await Denied(() => new NodeAdmin.NodeAdminClient(Channel("t01")).SyncNowAsync(new SyncNowRequest(), v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "operators");
        await Denied(() => new Statistics.StatisticsClient(Channel("t01")).GetStatisticsAsync(new GetStatisticsRequest(), v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "statistics");

        // The other village never received v01's clerk: there the credential is nobody's.
        var atV02 = new Cases.CasesClient(Channel("t01-v02"));
        await Denied(() => atV02.GetAsync(new GetCaseRequest { Number = other }, v01, cancellationToken: ct).ResponseAsync, StatusCode.Unauthenticated, "unknown clerk");
        await Denied(() => atV02.DeliverAsync(new CaseActionRequest { Number = other }, v01, cancellationToken: ct).ResponseAsync, StatusCode.Unauthenticated, "unknown clerk");

        // At the city it is known, yet still only its own village's case, and no administration.
        await Denied(() => new Cases.CasesClient(Channel("city")).GetAsync(new GetCaseRequest { Number = other }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "outside the subtree");
        await Denied(() => new NodeAdmin.NodeAdminClient(Channel("city")).RegisterNodeAsync(
            new RegisterNodeRequest { Id = "t01-v09", Level = ServiceHall.Protos.V1.NodeLevel.Village, ParentId = "t01" }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");
        await Denied(() => new Clerks.ClerksClient(Channel("city")).AddClerkAsync(
            new AddClerkRequest { Id = "me@t01", NodeId = "t01", Department = "ADM", Role = ClerkRole.Manager, Secret = Secret }, v01, cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");

        Assert.Equal(before, _network.Ids.ToDictionary(n => n, Written));
    }

    [Fact]
    public async Task ClerkRows_ReachOnlyTheirSubtree_AndADisabledClerkIsRefusedAfterTheNextSync()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(3, Count("t01", "SELECT COUNT(*) FROM clerks"));
        Assert.Equal(["window@t01-v01"], Ids("t01-v01"));
        Assert.Equal(["window@t01-v02"], Ids("t01-v02"));

        await new Clerks.ClerksClient(Channel("city")).SetClerkDisabledAsync(
            new SetClerkDisabledRequest { Id = "window@t01-v02", Disabled = true }, FirstAdministrator(Path.Combine(_network.Directory, "city")), cancellationToken: ct);
        await SyncAsync("t01");
        await SyncAsync("t01-v02");
        await Denied(() => new Cases.CasesClient(Channel("t01-v02")).ListAsync(new ListCasesRequest(), Basic("window@t01-v02", Secret), cancellationToken: ct).ResponseAsync,
            StatusCode.Unauthenticated, "disabled");
    }

    [Fact]
    public async Task WorkingCalendar_OnlyACityAdministratorChangesIt_AndTheChangeReachesTheVillages()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = FirstAdministrator(Path.Combine(_network.Directory, "city"));
        await new Clerks.ClerksClient(Channel("city")).AddClerkAsync(
            new AddClerkRequest { Id = "manager@city", NodeId = "city", Department = "MKT", Role = ClerkRole.Manager, Secret = Secret }, admin, cancellationToken: ct);
        var atCity = new Catalogue.CatalogueClient(Channel("city"));
        var holiday = new SetCalendarDayRequest { Date = "2027-04-05", Working = false, Name = "清明节" };
        var before = _network.Ids.ToDictionary(n => n, Calendar);

        // Nobody, a city manager, a village's stolen credential, and the township's own clerk at the township: refused, nothing written.
        await Denied(() => atCity.SetCalendarDayAsync(holiday, cancellationToken: ct).ResponseAsync, StatusCode.Unauthenticated, "credential");
        await Denied(() => atCity.SetCalendarDayAsync(holiday, Basic("manager@city", Secret), cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");
        await Denied(() => atCity.SetCalendarDayAsync(holiday, Basic("window@t01-v01", Secret), cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");
        await Denied(() => atCity.ClearCalendarDayAsync(new ClearCalendarDayRequest { Date = "2027-01-01" }, Basic("window@t01-v01", Secret), cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");
        await Denied(() => new Catalogue.CatalogueClient(Channel("t01")).SetCalendarDayAsync(holiday, Basic("window@t01", Secret), cancellationToken: ct).ResponseAsync, StatusCode.PermissionDenied, "administrators");
        // Bad input from the administrator is refused too, after sign-in.
        await Denied(() => atCity.SetCalendarDayAsync(new SetCalendarDayRequest { Date = "2027-04-07", Working = true, Name = "x" }, admin, cancellationToken: ct).ResponseAsync, StatusCode.InvalidArgument, "working day already");
        await Denied(() => atCity.SetCalendarDayAsync(new SetCalendarDayRequest { Date = "2027-13-01", Name = "x" }, admin, cancellationToken: ct).ResponseAsync, StatusCode.InvalidArgument, "ISO date");
        await Denied(() => atCity.SetCalendarDayAsync(new SetCalendarDayRequest { Date = "2027-04-05", Name = new string('节', 51) }, admin, cancellationToken: ct).ResponseAsync, StatusCode.InvalidArgument, "1–50");
        Assert.Equal(before, _network.Ids.ToDictionary(n => n, Calendar));

        // The administrator at the city: the holiday is recorded and reaches a village through its township.
        var set = await atCity.SetCalendarDayAsync(holiday, admin, cancellationToken: ct);
        Assert.Equal(("2027-04-05", false, "清明节"), (set.Date, set.Working, set.Name));
        await SyncAsync("t01");
        await SyncAsync("t01-v01");
        var atVillage = await new Catalogue.CatalogueClient(Channel("t01-v01")).GetCalendarAsync(new GetCalendarRequest { Year = 2027 }, cancellationToken: ct);
        Assert.Contains(atVillage.Days, d => d.Date == "2027-04-05" && !d.Working && d.Name == "清明节");

        // Cleared again: the tombstone follows the same way.
        Assert.True((await atCity.ClearCalendarDayAsync(new ClearCalendarDayRequest { Date = "2027-04-05" }, admin, cancellationToken: ct)).Removed);
        Assert.False((await atCity.ClearCalendarDayAsync(new ClearCalendarDayRequest { Date = "2027-04-05" }, admin, cancellationToken: ct)).Removed);
        await SyncAsync("t01");
        await SyncAsync("t01-v01");
        Assert.Equal(before["t01-v01"], Calendar("t01-v01"));
    }

    private string Calendar(string node)
    {
        using var conn = Open(node);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT group_concat(date || ':' || working || ':' || name, ',') FROM (SELECT * FROM calendar_days ORDER BY date)";
        return cmd.ExecuteScalar() as string ?? string.Empty;
    }

    private IReadOnlyList<string> Ids(string node)
    {
        using var conn = Open(node);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id FROM clerks ORDER BY id";
        using var r = cmd.ExecuteReader();
        var ids = new List<string>();
        while (r.Read())
        {
            ids.Add(r.GetString(0));
        }

        return ids;
    }

    private async Task<string> FileAndRouteAsync(string village, Metadata clerk, string item)
    {
        var ct = TestContext.Current.CancellationToken;
        var cases = new Cases.CasesClient(Channel(village));
        var n = (await cases.SubmitAsync(new SubmitCaseRequest { Item = item, ApplicantName = "张三", IdNumber = "370982199001010033" }, clerk, cancellationToken: ct)).Number;
        await cases.RouteAsync(new RouteRequest { Number = n, TargetNode = "t01", TargetLevel = ServiceHall.Protos.V1.NodeLevel.Township }, clerk, cancellationToken: ct);
        return n;
    }

    private static async Task Denied(Func<Task> call, StatusCode code, string says)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        Assert.Contains(says, e.Status.Detail, StringComparison.Ordinal);
    }

    private long Written(string node) =>
        Count(node, "SELECT COUNT(*) FROM cases") + Count(node, "SELECT COUNT(*) FROM case_events") + Count(node, "SELECT COUNT(*) FROM _sync_log")
        + Count(node, "SELECT COUNT(*) FROM nodes") + Count(node, "SELECT COUNT(*) FROM clerks");

    private long Count(string node, string sql)
    {
        using var conn = Open(node);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    private SqliteConnection Open(string node)
    {
        var conn = new SqliteConnection($"Data Source={_network.StorePath(node)};Mode=ReadOnly;Pooling=False");
        conn.Open();
        return conn;
    }

    private GrpcChannel Channel(string node) => _network.Channel(node);

    private Task StartAsync(string id, NodeLevel level, string? parent) => _network.StartAsync(id, level, parent);

    private Task SyncAsync(string node) => _network.SyncAsync(node);
}
