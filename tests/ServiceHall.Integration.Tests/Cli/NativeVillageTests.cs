using System.Text.Json;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

/// <summary>The native build runs alone: it keeps both cores busy for minutes, and the other process tests are timed by their limits.</summary>
[CollectionDefinition(nameof(NativeBuildCollection), DisableParallelization = true)]
public sealed class NativeBuildCollection;

/// <summary>
/// The village as a station PC runs it: the native (Native AOT) program that <c>dotnet publish village-node -c Release</c>
/// builds, in a secured devnet (mutual TLS, every node enrolled) with a JIT city and township. What the trimmer or the AOT
/// compiler could break only shows when the native program runs: options binding, the gRPC services and their guard, TLS
/// and enrolment, sync both ways, clerks, the front desk's pages.
/// </summary>
[Collection(nameof(NativeBuildCollection))]
[Trait("Category", "Process")]
public sealed class NativeVillageTests : IAsyncDisposable
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);
    private readonly DevnetSession _devnet = new();

    public ValueTask DisposeAsync() => _devnet.DisposeAsync();

    [Fact(Timeout = 900_000)]
    public async Task NativeVillage_InASecuredDevnet_EnrolsSyncsBothWaysAndServesItsFrontDesk()
    {
        var ct = TestContext.Current.CancellationToken;
        var program = await NativeNodeBuild.PublishAsync(AppContext.BaseDirectory, _ => { }, ct);

        // A station carries no SQL Server client: the village program does not reference the provider's project, so
        // nothing of Microsoft.Data.SqlClient is beside the executable or compiled into it.
        var published = Path.GetDirectoryName(program)!;
        Assert.Empty(Directory.EnumerateFiles(published, "*SqlClient*"));
        Assert.Empty(Directory.EnumerateFiles(published, "*Sync.SqlServer*"));
        var image = await File.ReadAllBytesAsync(program, ct);
        Assert.Equal(-1, image.AsSpan().IndexOf("Microsoft.Data.SqlClient"u8));

        var up = await _devnet.UpAsync(1, 1, null, "--native-villages");
        Assert.Contains("native village program", up.Stdout, StringComparison.Ordinal);

        // The village process is the native executable itself, not dotnet running a dll; devnet knows it as its node.
        var village = _devnet.Net.Nodes.Single(n => n.Id == "t01-v01");
        Assert.Equal(program, NodeProcesses.CommandLine(village.Pid)[0]);
        Assert.True(NodeProcesses.IsDevnetNode(village.Pid, _devnet.Directory));
        var township = _devnet.Net.Nodes.Single(n => n.Id == "t01");
        Assert.EndsWith(".dll", NodeProcesses.CommandLine(township.Pid)[1], StringComparison.Ordinal);

        // It serves its status over mutual TLS, as the operator's CLI sees it.
        var status = await Ok("node", "status", "--node", village.Url, "--json");
        using (var doc = JsonDocument.Parse(status.Stdout))
        {
            Assert.Equal("t01-v01", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal("village", doc.RootElement.GetProperty("level").GetString());
        }

        // A case filed at its window goes up to the township; the township's acceptance comes back down.
        var n = (await Ok("case", "submit", "--node", village.Url, "--item", "TWN-RESIDENT-PENSION", "--applicant", "张三", "--id-number", "370982195001010011")).Stdout.Trim();
        Assert.StartsWith("t01-v01-", n, StringComparison.Ordinal);
        await Ok("case", "route", n, "--node", village.Url);
        await Ok("sync", "now", "--node", village.Url);
        await Ok("case", "accept", n, "--node", township.Url);
        await Ok("sync", "now", "--node", village.Url);
        var back = await Ok("case", "show", n, "--node", village.Url, "--json");
        using (var doc = JsonDocument.Parse(back.Stdout))
        {
            Assert.Equal("accepted", doc.RootElement.GetProperty("status").GetString());
            Assert.Equal("t01", doc.RootElement.GetProperty("holder").GetString());
        }

        // Its front desk answers in Chinese: the sign-in page, and the catalogue that needs no sign-in.
        using var http = new HttpClient { Timeout = CallLimit };
        foreach (var page in new[] { "/SignIn", "/Catalogue" })
        {
            using var response = await http.GetAsync(new Uri(new Uri(village.WebUrl!), page), ct);
            var html = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.IsSuccessStatusCode, $"{page}: {(int)response.StatusCode} {html}");
            Assert.Contains("lang=\"zh-CN\"", html, StringComparison.Ordinal);
        }

        // devnet down finds and stops it like any other node.
        var down = await CliProcess.RunAsync(CallLimit, "devnet", "down", "--data", _devnet.Directory);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.False(NodeProcesses.IsAlive(village.Pid));
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var r = await _devnet.CliAsync(CallLimit, args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }
}
