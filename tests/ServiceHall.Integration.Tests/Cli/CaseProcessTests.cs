using System.Diagnostics;
using System.Text.Json;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

/// <summary>
/// Process level: a real devnet (city, 2 townships, 2 villages each, every node its own OS process) driven only through
/// the real <c>servicehall</c> program, as clerks would. Each test starts its own devnet on free ports in a temp
/// directory; Dispose kills every node process of that directory, including ones the test restarted.
/// </summary>
[Trait("Category", "Process")]
public sealed class CaseProcessTests : IAsyncDisposable
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SyncLimit = TimeSpan.FromSeconds(90);
    private static readonly string[] BizDepartments = ["MKT", "QS", "TAX", "PSB"];
    private readonly DevnetSession _devnet = new();

    public ValueTask DisposeAsync() => _devnet.DisposeAsync();

    [Fact(Timeout = 420_000)]
    public async Task BusinessRegistration_FiledAtVillage_RoutedUpReviewedInParallelAtCityAndDecisionSeenAtVillage()
    {
        await UpAsync();
        string village = Url("t01-v01"), township = Url("t01"), city = Url("city");

        // Filed at the village window; the number shows the intake node.
        var n = (await Ok("case", "submit", "--node", village, "--item", "CITY-BIZ-REG", "--applicant", "新泰某商贸有限公司", "--id-number", "91370982MA3C000001")).Stdout.Trim();
        Assert.StartsWith("t01-v01-", n, StringComparison.Ordinal);

        // The village may not accept a city item: the refusal names the status and says why.
        var refused = await Cli("case", "accept", n, "--node", village);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("PermissionDenied", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("route", refused.Stderr, StringComparison.Ordinal);

        // Routed up one level at a time: village → t01 → city, each hop carried by sync.
        await Ok("case", "route", n, "--node", village);
        await UntilHeldAsync(township, n, ["t01-v01"]);
        await Ok("case", "route", n, "--node", township);
        await UntilHeldAsync(city, n, ["t01"]);

        var accepted = await CaseAsync(city, n);
        Assert.Equal("submitted", accepted.GetProperty("status").GetString());
        Assert.Equal("city", accepted.GetProperty("holder").GetString());
        await Ok("case", "accept", n, "--node", city);

        // The four departments review at once, each with its own call.
        var opinions = await Task.WhenAll(BizDepartments.Select(d =>
            Cli("case", "opinion", n, "--node", city, "--department", d, "--verdict", "approve", "--reason", $"{d} 审查通过", "--json")));
        Assert.All(opinions, r => Assert.True(r.ExitCode == 0, r.ToString()));

        var reviewed = await CaseAsync(city, n);
        Assert.Equal("approved", reviewed.GetProperty("reviewOutcome").GetString());
        var byDept = reviewed.GetProperty("opinions").EnumerateArray().ToDictionary(o => o.GetProperty("department").GetString()!);
        Assert.Equal(BizDepartments.Order(), byDept.Keys.Order());
        Assert.All(BizDepartments, d =>
        {
            Assert.Equal("approve", byDept[d].GetProperty("opinion").GetString());
            Assert.Equal($"{d.ToLowerInvariant()}@city", byDept[d].GetProperty("actor").GetProperty("userId").GetString());
        });

        // Only the lead department decides.
        var wrongDept = await Cli("case", "decide", n, "--node", city, "--department", "QS", "--approve");
        Assert.True(wrongDept.ExitCode == 1, wrongDept.ToString());
        Assert.Contains("PermissionDenied", wrongDept.Stderr, StringComparison.Ordinal);
        await Ok("case", "decide", n, "--node", city, "--approve", "--reason", "准予设立登记");
        var decidedAtCity = await CaseAsync(city, n);

        // The decision flows back down to the intake village, with the same deadline status.
        var atVillage = await PollAsync($"{n} approved at {village}", async () =>
        {
            await Cli("sync", "now", "--node", township);
            await Cli("sync", "now", "--node", village);
            var r = await Cli("case", "show", "--node", village, n, "--json");
            if (r.ExitCode != 0)
            {
                return (false, default);
            }

            var c = Parse(r.Stdout);
            return (c.GetProperty("status").GetString() == "approved", c);
        });
        Assert.Equal("t01-v01", atVillage.GetProperty("intakeNode").GetString());
        Assert.Equal("city", atVillage.GetProperty("level").GetString());
        Assert.Equal("准予设立登记", atVillage.GetProperty("decisionReason").GetString());
        Assert.Equal(decidedAtCity.GetProperty("dueDate").GetString(), atVillage.GetProperty("dueDate").GetString());
        Assert.False(string.IsNullOrEmpty(atVillage.GetProperty("dueDate").GetString()));
        Assert.Equal(Compact(decidedAtCity.GetProperty("flags")), Compact(atVillage.GetProperty("flags")));
        Assert.True(atVillage.GetProperty("flags").GetProperty("onTime").GetBoolean());
        Assert.False(atVillage.GetProperty("flags").GetProperty("overdue").GetBoolean());

        var history = atVillage.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(
            ["Submitted", "Routed", "Routed", "Accepted", "OpinionRecorded", "OpinionRecorded", "OpinionRecorded", "OpinionRecorded", "Decided"],
            history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal(["t01-v01", "t01-v01", "t01", "city"], history.Take(4).Select(h => h.GetProperty("node").GetString()));
        // The city's window clerk accepted it: the CLI signs in as the profile's window clerk of the node when no department is asked for.
        Assert.Equal("window@city", history[3].GetProperty("actor").GetProperty("userId").GetString());
        Assert.All(history, h => Assert.True(h.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.MinValue));
        Assert.Equal(BizDepartments.Order(), history.Skip(4).Take(4).Select(h => h.GetProperty("department").GetString()!).Order());

        // The clerk's view of the same case at the village: a timeline naming where each step happened.
        var table = await Ok("case", "show", "--node", village, n);
        Assert.Contains("decided (办结): approved — 准予设立登记", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("routed up to city", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(atVillage.GetProperty("dueDate").GetString()!, table.Stdout, StringComparison.Ordinal);

        // The village delivers; the city may not.
        var cityDelivers = await Cli("case", "deliver", n, "--node", city);
        Assert.True(cityDelivers.ExitCode == 1, cityDelivers.ToString());
        Assert.Contains("PermissionDenied", cityDelivers.Stderr, StringComparison.Ordinal);
        await Ok("case", "deliver", n, "--node", village);
        var rated = Parse((await Ok("case", "evaluate", n, "--node", village, "--score", "5", "--comment", "两小时办完", "--json")).Stdout);
        Assert.Equal("delivered", rated.GetProperty("status").GetString());
        Assert.Equal(5, rated.GetProperty("rating").GetInt32());
    }

    [Fact(Timeout = 420_000)]
    public async Task VillageItem_DecidedWhileTownshipDown_ReachesCityOnceAndStatsAgreeWithCasesCounted()
    {
        await UpAsync();
        string city = Url("city"), v21 = Url("t02-v01"), t02 = Url("t02"), v12 = Url("t01-v02"), t01 = Url("t01");

        // The township of t02-v01 dies (kill -9).
        var t02Node = _devnet.Net.Nodes.Single(x => x.Id == "t02");
        var t02Command = NodeProcesses.CommandLine(t02Node.Pid);
        Assert.NotEmpty(t02Command);
        Assert.True(NodeProcesses.ForceKill(t02Node.Pid));
        Assert.True(await NodeProcesses.WaitGoneAsync([t02Node.Pid], TimeSpan.FromSeconds(10), TimeProvider.System, TestContext.Current.CancellationToken));
        var down = await Cli("node", "status", "--node", t02);
        Assert.True(down.ExitCode == 3, down.ToString());

        // The village station still takes, decides, delivers and rates a village on-the-spot item.
        var v = (await Ok("case", "submit", "--node", v21, "--item", "VIL-RESIDENCE-CERT", "--applicant", "张三", "--id-number", "370982199001011234")).Stdout.Trim();
        await Ok("case", "accept", v, "--node", v21);
        await Ok("case", "decide", v, "--node", v21, "--approve");
        await Ok("case", "deliver", v, "--node", v21);
        var done = Parse((await Ok("case", "evaluate", v, "--node", v21, "--score", "4", "--comment", "满意", "--json")).Stdout);
        Assert.Equal("delivered", done.GetProperty("status").GetString());
        Assert.Equal("village", done.GetProperty("level").GetString());
        Assert.True(done.GetProperty("flags").GetProperty("decidedOnTheSpot").GetBoolean());
        var offline = await Cli("sync", "now", "--node", v21);
        Assert.True(offline.ExitCode != 0, offline.ToString());
        var pending = Parse((await Ok("node", "status", "--node", v21, "--json")).Stdout);
        Assert.True(pending.GetProperty("pendingUpstream").GetInt64() > 0, pending.ToString());

        // Meanwhile elsewhere: a case withdrawn at t01-v02, and a business registration at the city left under review.
        var w = (await Ok("case", "submit", "--node", v12, "--item", "VIL-RESIDENCE-CERT", "--applicant", "李四", "--id-number", "370982199202021234")).Stdout.Trim();
        await Ok("case", "withdraw", w, "--node", v12, "--reason", "不需要了");
        var o = (await Ok("case", "submit", "--node", city, "--item", "CITY-BIZ-REG", "--applicant", "某公司", "--id-number", "91370982MA3C000009")).Stdout.Trim();
        await Ok("case", "accept", o, "--node", city);
        await Task.WhenAll(
            Ok("case", "opinion", o, "--node", city, "--department", "MKT", "--verdict", "approve"),
            Ok("case", "opinion", o, "--node", city, "--department", "QS", "--verdict", "refer", "--reason", "转质监后续监管"));

        // The township comes back (same identity, same store); the village's case goes up through it.
        using (Process.Start(NodeLauncher.CreateStartInfo(Path.Combine(_devnet.Directory, "t02", "console.log"), Path.Combine(_devnet.Directory, "t02"), detach: true, t02Command)))
        {
        }

        await PollAsync("t02 serving again", async () => ((await Cli("node", "status", "--node", t02)).ExitCode == 0, true));
        var atCity = await PollAsync($"{v} and {w} at the city", async () =>
        {
            await Cli("sync", "now", "--node", v21);
            await Cli("sync", "now", "--node", t02);
            await Cli("sync", "now", "--node", v12);
            await Cli("sync", "now", "--node", t01);
            var list = Parse((await Ok("case", "list", "--node", city, "--json")).Stdout).GetProperty("cases").EnumerateArray().ToList();
            var complete = list.Any(c => c.GetProperty("number").GetString() == v && c.GetProperty("rating").ValueKind == JsonValueKind.Number)
                && list.Any(c => c.GetProperty("number").GetString() == w && c.GetProperty("status").GetString() == "withdrawn");
            return (complete, list);
        });

        // Once: one case per number, each event once, the same history as at the village.
        Assert.Equal(3, atCity.Count);
        Assert.Equal(atCity.Count, atCity.Select(c => c.GetProperty("number").GetString()).Distinct().Count());
        var vAtCity = atCity.Single(c => c.GetProperty("number").GetString() == v);
        Assert.Equal(["Submitted", "Accepted", "Decided", "Delivered", "Evaluated"], vAtCity.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal(Compact(done.GetProperty("history")), Compact(vAtCity.GetProperty("history")));
        Assert.Equal(done.GetProperty("decidedAt").GetDateTimeOffset(), vAtCity.GetProperty("decidedAt").GetDateTimeOffset());
        Assert.Equal(4, vAtCity.GetProperty("rating").GetInt32());
        var atTownship = Parse((await Ok("case", "list", "--node", t02, "--json")).Stdout).GetProperty("cases").EnumerateArray();
        Assert.Equal([v], atTownship.Select(c => c.GetProperty("number").GetString()));

        // stats at the city agrees with the cases counted here, independently of the statistics code.
        var stats = Parse((await Ok("stats", "--node", city, "--json")).Stdout);
        AssertRow(stats.GetProperty("total"), atCity);
        Assert.Equal(3, stats.GetProperty("total").GetProperty("cases").GetInt32());
        Assert.Equal(2, stats.GetProperty("total").GetProperty("accepted").GetInt32());
        Assert.Equal(1, stats.GetProperty("total").GetProperty("decided").GetInt32());
        Assert.Equal(4.0, stats.GetProperty("total").GetProperty("averageRating").GetDouble());

        var byTownship = Rows(stats, "byTownship");
        Assert.Equal(["city", "t01", "t02"], byTownship.Keys.Order());
        AssertRow(byTownship["t02"], [vAtCity]);
        AssertRow(byTownship["t01"], atCity.Where(c => c.GetProperty("number").GetString() == w).ToList());
        AssertRow(byTownship["city"], atCity.Where(c => c.GetProperty("number").GetString() == o).ToList());

        var byItem = Rows(stats, "byItem");
        Assert.Equal(["CITY-BIZ-REG", "VIL-RESIDENCE-CERT"], byItem.Keys.Order());
        AssertRow(byItem["VIL-RESIDENCE-CERT"], atCity.Where(c => c.GetProperty("item").GetString() == "VIL-RESIDENCE-CERT").ToList());
        AssertRow(byItem["CITY-BIZ-REG"], atCity.Where(c => c.GetProperty("item").GetString() == "CITY-BIZ-REG").ToList());

        var byDept = Rows(stats, "byDepartment");
        Assert.Equal(["MKT", "PSB", "QS", "TAX", "VC"], byDept.Keys.Order());
        Assert.Equal(2, byDept["VC"].GetProperty("cases").GetInt32());
        var openCase = atCity.Single(c => c.GetProperty("number").GetString() == o);
        foreach (var d in BizDepartments)
        {
            AssertRow(byDept[d], [openCase]);
            Assert.Equal(1, byDept[d].GetProperty("reviews").GetInt32());
            var opinion = openCase.GetProperty("opinions").EnumerateArray().Single(x => x.GetProperty("department").GetString() == d);
            Assert.Equal(opinion.GetProperty("overdue").GetBoolean() ? 1 : 0, byDept[d].GetProperty("reviewsOverdue").GetInt32());
            Assert.Equal(opinion.GetProperty("nearDue").GetBoolean() ? 1 : 0, byDept[d].GetProperty("reviewsNearDue").GetInt32());
        }

        // Sync health: the city has heard from both townships.
        var peers = stats.GetProperty("sync").EnumerateArray().Select(p => p.GetProperty("peerId").GetString()).ToList();
        Assert.Contains("t01", peers);
        Assert.Contains("t02", peers);
    }

    /// <summary>
    /// Checks one statistics row against the cases it covers, counted from each case's own JSON (status, acceptance,
    /// flags, rating): the same definitions as the proto documents, computed here without the statistics code.
    /// </summary>
    private static void AssertRow(JsonElement row, IReadOnlyList<JsonElement> cases)
    {
        static bool Flag(JsonElement c, string f) => c.GetProperty("flags").GetProperty(f).GetBoolean();
        var accepted = cases.Where(c => c.GetProperty("acceptedAt").ValueKind != JsonValueKind.Null && c.GetProperty("status").GetString() != "withdrawn").ToList();
        var decided = cases.Where(c => c.GetProperty("decidedAt").ValueKind != JsonValueKind.Null).ToList();
        var rated = cases.Where(c => c.GetProperty("rating").ValueKind == JsonValueKind.Number).ToList();
        var key = row.GetProperty("key").GetString();

        Assert.True(cases.Count == row.GetProperty("cases").GetInt32(), $"{key}: cases");
        Assert.True(accepted.Count == row.GetProperty("accepted").GetInt32(), $"{key}: accepted");
        Assert.True(decided.Count == row.GetProperty("decided").GetInt32(), $"{key}: decided");
        Assert.True(cases.Count(c => Flag(c, "overdue")) == row.GetProperty("overdue").GetInt32(), $"{key}: overdue");
        Assert.True(cases.Count(c => Flag(c, "nearDue")) == row.GetProperty("nearDue").GetInt32(), $"{key}: nearDue");
        Assert.True(rated.Count == row.GetProperty("rated").GetInt32(), $"{key}: rated");
        Assert.Equal(Share(decided.Count(c => Flag(c, "decidedOnTheSpot")), decided.Count), row.GetProperty("onTheSpotShare").GetDouble(), 6);
        Assert.Equal(Share(decided.Count(c => Flag(c, "decidedWithinThreeWorkingDays")), decided.Count), row.GetProperty("withinThreeWorkingDaysShare").GetDouble(), 6);
        Assert.Equal(Share(accepted.Count(c => Flag(c, "onTime")), accepted.Count), row.GetProperty("onTimeRate").GetDouble(), 6);
        if (rated.Count == 0)
        {
            Assert.Equal(JsonValueKind.Null, row.GetProperty("averageRating").ValueKind);
        }
        else
        {
            Assert.Equal(rated.Average(c => c.GetProperty("rating").GetInt32()), row.GetProperty("averageRating").GetDouble(), 6);
        }

        static double Share(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
    }

    private static Dictionary<string, JsonElement> Rows(JsonElement stats, string group) =>
        stats.GetProperty(group).EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);

    private async Task UpAsync()
    {
        var up = await _devnet.UpAsync(DevnetPlan.DefaultTownships, DevnetPlan.DefaultVillagesPerTownship);
        Assert.DoesNotContain("warning", up.Stdout + up.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    private string Url(string id) => _devnet.Url(id);

    /// <summary>Waits (bounded) until <paramref name="node"/> holds case <paramref name="n"/>, nudging the given lower nodes to sync first.</summary>
    private async Task UntilHeldAsync(string node, string n, string[] below) =>
        await PollAsync($"{n} at {node}", async () =>
        {
            foreach (var b in below)
            {
                await Cli("sync", "now", "--node", Url(b));
            }

            var r = await Cli("case", "show", "--node", node, n, "--json");
            return (r.ExitCode == 0, true);
        });

    /// <summary>Probes every half second until it reports done, for at most <see cref="SyncLimit"/>.</summary>
    private static async Task<T> PollAsync<T>(string what, Func<Task<(bool Done, T Value)>> probe)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            var (ok, value) = await probe();
            if (ok)
            {
                return value;
            }

            if (until.Elapsed > SyncLimit)
            {
                Assert.Fail($"{what}: not seen within {SyncLimit}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
    }

    private async Task<JsonElement> CaseAsync(string node, string n) => Parse((await Ok("case", "show", "--node", node, n, "--json")).Stdout);

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string Compact(JsonElement e) => JsonSerializer.Serialize(e);

    /// <summary>Runs the CLI with the devnet's clerk profile (what <c>devnet up</c> wrote into its data directory).</summary>
    private Task<CliResult> Cli(params string[] args) => _devnet.CliAsync(CallLimit, args);

    private async Task<CliResult> Ok(params string[] args)
    {
        var r = await Cli(args);
        Assert.True(r.ExitCode == 0, $"servicehall {string.Join(' ', args)}\n{r}");
        return r;
    }
}
