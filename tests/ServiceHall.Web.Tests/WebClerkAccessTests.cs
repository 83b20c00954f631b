using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Transport;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Tests;

/// <summary>
/// The web front desk's clerk checks over a real network in this process: city, township t01 and its villages t01-v01 and
/// t01-v02, each a node on Kestrel (127.0.0.1) with its own SQLite store and the front desk on its web URL, syncing over
/// gRPC. Clerks are registered at the city and reach their nodes by sync; the tests drive the pages over HTTP as a
/// browser would (cookies, antiforgery tokens), including form posts that the pages never offered.
/// </summary>
[Collection(RealNodes.Name)]
public sealed partial class WebClerkAccessTests : IAsyncLifetime
{
    private const string Secret = "a-long-enough-secret";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "servicehall-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, (WebApplication App, int Port, Uri Web)> _nodes = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        await StartAsync("city", NodeLevel.City, null);
        var registry = Service<ClerkRegistry>("city");
        foreach (var (id, node, department, role) in new[]
        {
            ("window@t01-v01", "t01-v01", "VC", ClerkRole.Window),
            ("window@t01-v02", "t01-v02", "VC", ClerkRole.Window),
            ("window@t01", "t01", "ADM", ClerkRole.Window),
            ("window@city", "city", "ADM", ClerkRole.Window),
            ("mkt@city", "city", "MKT", ClerkRole.Reviewer),
            ("qs@city", "city", "QS", ClerkRole.Reviewer),
        })
        {
            registry.Add(id, node, department, role, id, Secret);
        }

        await StartAsync("t01", NodeLevel.Township, "city");
        await SyncAsync("t01");
        await StartAsync("t01-v01", NodeLevel.Village, "t01");
        await StartAsync("t01-v02", NodeLevel.Village, "t01");
        await SyncAsync("t01-v01");
        await SyncAsync("t01-v02");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (app, _, _) in _nodes.Values.Reverse())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task WrongSecretOrUnknownId_RefusedWithOneMessage_NothingSignedIn_RightSecretSignsIn()
    {
        using var browser = new WebBrowser(_nodes["t01-v01"].Web);
        foreach (var (id, secret) in new[] { ("window@t01-v01", "not-the-secret-at-all"), ("nobody@t01-v01", Secret), ("window@t01-v02", Secret) })
        {
            var refused = await browser.SignInAsync(id, secret);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("工作人员编号或密码错误", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.False(browser.HasSignInCookie, $"{id}: a sign-in cookie was set");
            var queue = await browser.GetAsync("/");
            Assert.Equal(HttpStatusCode.Redirect, queue.StatusCode);
            Assert.Contains("/SignIn", queue.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        var signedIn = await browser.SignInAsync("window@t01-v01", Secret);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-clerk=\"window@t01-v01\"", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TenWrongSecrets_CloseTheId_EvenTheRightSecretIsRefusedThen()
    {
        using var browser = new WebBrowser(_nodes["t01"].Web);
        for (var k = 0; k < SignInThrottle.MaxFailures; k++)
        {
            Assert.Contains("工作人员编号或密码错误", await (await browser.SignInAsync("window@t01", $"guess-number-{k}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        var closed = await browser.SignInAsync("window@t01", Secret);
        Assert.Contains("登录失败次数过多", await closed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(browser.HasSignInCookie);
    }

    [Fact]
    public async Task VillageClerkAtItsTownship_ListsOnlyItsVillage_AnotherVillagesCaseIsForbidden_AndTakesNoTownshipAction()
    {
        var own = FileAndRoute("t01-v01", "window@t01-v01", "申请人甲");
        var other = FileAndRoute("t01-v02", "window@t01-v02", "申请人乙");
        await SyncAsync("t01-v01");
        await SyncAsync("t01-v02");

        using var browser = new WebBrowser(_nodes["t01"].Web);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("window@t01-v01", Secret)).StatusCode);
        var queue = await browser.TextAsync("/");
        Assert.Contains(own, queue, StringComparison.Ordinal);
        Assert.DoesNotContain(other, queue, StringComparison.Ordinal);
        Assert.DoesNotContain(other, await browser.TextAsync("/?handler=Rows"), StringComparison.Ordinal);

        var forbidden = await browser.GetAsync("/Cases/" + other);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var body = await forbidden.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("id=\"refused\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("申请人乙", body, StringComparison.Ordinal);

        // Its own case is shown, with no action: a village clerk acts only at its village. A forged post is refused too.
        var ownPage = await browser.TextAsync("/Cases/" + own);
        Assert.Contains("申请人甲", ownPage, StringComparison.Ordinal);
        Assert.Contains("id=\"no-actions\"", ownPage, StringComparison.Ordinal);
        var before = Written("t01");
        var forged = await browser.PostFormAsync("/Cases/" + own, new() { ["Kind"] = nameof(CaseEventKind.Accepted) });
        Assert.Equal(HttpStatusCode.OK, forged.StatusCode);
        Assert.Contains("cannot act on cases at t01", await forged.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostFormAsync("/Cases/" + other, new() { ["Kind"] = nameof(CaseEventKind.Accepted) }, tokenFrom: "/Cases/" + own)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/Cases/New")).StatusCode);
        Assert.Equal(before, Written("t01"));

        // The township's own clerk sees both and may accept.
        using var townClerk = new WebBrowser(_nodes["t01"].Web);
        await townClerk.SignInAsync("window@t01", Secret);
        var all = await townClerk.TextAsync("/");
        Assert.Contains(own, all, StringComparison.Ordinal);
        Assert.Contains(other, all, StringComparison.Ordinal);
        Assert.Contains("id=\"act-Accepted\"", await townClerk.TextAsync("/Cases/" + other), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedOpinionPost_AnotherDepartmentOrAWindowClerk_IsRefused_AndNothingIsRecorded()
    {
        var desk = Service<CaseDesk>("city");
        var n = desk.Submit("CITY-BIZ-REG", "某商贸有限公司", "91370982MA3C000001", null, CaseChannel.Window, new CaseActor("window@city", "ADM")).Number;
        desk.Accept(n, new CaseActor("mkt@city", "MKT"));
        Assert.Contains(desk.Get(n).Reviews, r => r.Department == "QS" && r.Opinion is null);

        using var qs = new WebBrowser(_nodes["city"].Web);
        await qs.SignInAsync("qs@city", Secret);
        var page = await qs.TextAsync("/Cases/" + n);
        Assert.Contains("name=\"Department\" value=\"QS\"", page, StringComparison.Ordinal);
        var before = Written("city");

        var forged = await qs.PostFormAsync("/Cases/" + n, new() { ["Kind"] = nameof(CaseEventKind.OpinionRecorded), ["Department"] = "MKT", ["Opinion"] = nameof(OpinionKind.Reject), ["Reason"] = "伪造" });
        Assert.Contains("cannot record the opinion of department MKT", await forged.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var window = new WebBrowser(_nodes["city"].Web);
        await window.SignInAsync("window@city", Secret);
        Assert.DoesNotContain("act-OpinionRecorded", await window.TextAsync("/Cases/" + n), StringComparison.Ordinal);
        var byWindow = await window.PostFormAsync("/Cases/" + n, new() { ["Kind"] = nameof(CaseEventKind.OpinionRecorded), ["Department"] = "QS", ["Opinion"] = nameof(OpinionKind.Approve) });
        Assert.Contains("recorded by its reviewer or manager", await byWindow.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(before, Written("city"));
        Assert.All(desk.Get(n).Reviews, r => Assert.Null(r.Opinion));

        // Its own department's opinion, from the form the page offers, is recorded as QS's and by qs@city.
        var own = await qs.PostFormAsync("/Cases/" + n, new() { ["Kind"] = nameof(CaseEventKind.OpinionRecorded), ["Department"] = "QS", ["Opinion"] = nameof(OpinionKind.Approve) });
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        var recorded = desk.Get(n).History.Single(e => e.Kind == CaseEventKind.OpinionRecorded);
        Assert.Equal(new CaseActor("qs@city", "QS"), recorded.Actor);
        Assert.Equal("QS", recorded.Data.Department);
    }

    [Theory]
    [InlineData("预审未通过", CaseStatus.PreReviewFailed)]
    [InlineData("网上预审 ✓", CaseStatus.PreReviewPassed)]
    public async Task PreReviewForm_EachButtonAsABrowserSendsIt_RecordsItsOwnOutcome(string button, CaseStatus expected)
    {
        var desk = Service<CaseDesk>("city");
        var n = desk.Submit("CITY-BIZ-REG", "某商贸有限公司", "91370982MA3C000002", null, CaseChannel.Online, new CaseActor("window@city", "ADM")).Number;
        using var window = new WebBrowser(_nodes["city"].Web);
        await window.SignInAsync("window@city", Secret);

        // What a browser sends for a click: the form's fields in document order, then the clicked button's name and value.
        var page = await window.TextAsync("/Cases/" + n);
        var form = PreReviewForm().Match(page);
        Assert.True(form.Success, "no pre-review form on the case page");
        List<KeyValuePair<string, string>> fields = [.. HiddenField().Matches(form.Value).Select(m => KeyValuePair.Create(m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value)))];
        fields.Add(KeyValuePair.Create("Reason", "材料不全"));
        var clicked = SubmitButton().Matches(form.Value).Single(m => m.Groups[3].Value.Trim() == button);
        fields.Add(KeyValuePair.Create(clicked.Groups[1].Value, clicked.Groups[2].Value));
        using var posted = await window.PostRawAsync("/Cases/" + n, fields);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal(expected, desk.Get(n).Status);
    }

    [Fact]
    public async Task NewCase_ItemChangedOnTheForm_ShowsItsChecklistKeepsWhatWasTyped_AndValidatesNothing()
    {
        using var window = new WebBrowser(_nodes["t01-v01"].Web);
        await window.SignInAsync("window@t01-v01", Secret);

        // As refresh.js sends it when the item select changes: the whole form, plus handler=Reload as a form field.
        using var reloaded = await window.PostFormAsync("/Cases/New", new() { ["item"] = "VIL-RESIDENCE-CERT", ["ApplicantName"] = "李四", ["handler"] = "Reload" });
        var page = await reloaded.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        Assert.Contains("value=\"李四\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"Ticked\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("请修改标出的内容", page, StringComparison.Ordinal);
        Assert.Empty(Service<CaseRepository>("t01-v01").List());
    }

    [GeneratedRegex("<form method=\"post\" id=\"act-PreReviewPassed\">.*?</form>", RegexOptions.Singleline)]
    private static partial Regex PreReviewForm();

    [GeneratedRegex("<input(?=[^>]*\\btype=\"hidden\")[^>]*?\\bname=\"([^\"]+)\"[^>]*?\\bvalue=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    [GeneratedRegex("<button type=\"submit\"[^>]*? name=\"([^\"]+)\" value=\"([^\"]+)\"[^>]*>([^<]*)</button>")]
    private static partial Regex SubmitButton();

    [Fact]
    public async Task DisabledAtTheCity_SignedOutAtTheVillageOnTheNextRequestAfterSync()
    {
        using var browser = new WebBrowser(_nodes["t01-v02"].Web);
        await browser.SignInAsync("window@t01-v02", Secret);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        Service<ClerkRegistry>("city").SetDisabled("window@t01-v02", disabled: true);
        // Not synced yet: the village does not know (offline sign-in has this price).
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        await SyncAsync("t01");
        await SyncAsync("t01-v02");
        var next = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Contains("/SignIn", next.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.False(browser.HasSignInCookie, "the cookie was not removed");

        var again = await browser.SignInAsync("window@t01-v02", Secret);
        Assert.Contains("该工作人员已停用", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(browser.HasSignInCookie);
    }

    [Fact]
    public async Task SecretResetAtTheCity_SignsTheOldSessionOut_AfterSync()
    {
        using var browser = new WebBrowser(_nodes["t01"].Web);
        await browser.SignInAsync("window@t01", Secret);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        Service<ClerkRegistry>("city").ResetSecret("window@t01", "another-long-enough-secret");
        await SyncAsync("t01");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync("window@t01", "another-long-enough-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
    }

    private string FileAndRoute(string village, string clerk, string applicant)
    {
        var desk = Service<CaseDesk>(village);
        var actor = new CaseActor(clerk, "VC");
        var n = desk.Submit("TWN-INDIV-BIZ", applicant, "370982199001010033", null, CaseChannel.Window, actor).Number;
        desk.RouteUp(n, actor);
        return n;
    }

    private T Service<T>(string node)
        where T : notnull => _nodes[node].App.Services.GetRequiredService<T>();

    /// <summary>Rows of the tables a case action or a clerk change writes.</summary>
    private long Written(string node)
    {
        using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, node, node + ".db")};Mode=ReadOnly;Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM case_events) + (SELECT COUNT(*) FROM _sync_log) + (SELECT COUNT(*) FROM clerks)";
        return (long)cmd.ExecuteScalar()!;
    }

    private async Task StartAsync(string id, NodeLevel level, string? parent)
    {
        var ports = TestPorts.FreeRange(2);
        List<string> args =
        [
            "--id", id, "--listen", $"http://127.0.0.1:{ports}", "--web-listen", $"http://127.0.0.1:{ports + 1}",
            "--data", Path.Combine(_dir, id), NodeHostingExtensions.InsecureCleartextSwitch,
        ];
        if (parent is not null)
        {
            args.AddRange(["--upstream", $"http://127.0.0.1:{_nodes[parent].Port}"]);
        }

        var app = NodeProgram.Build([.. args], level, FrontDesk.AddServices, FrontDesk.Map, TimeProvider.System);
        app.InitializeServiceHallStore();
        await app.StartAsync(TestContext.Current.CancellationToken);
        _nodes[id] = (app, ports, new Uri($"http://127.0.0.1:{ports + 1}"));
    }

    private async Task SyncAsync(string node) =>
        await _nodes[node].App.Services.GetRequiredService<SyncRunner>().RunOnceAsync(TestContext.Current.CancellationToken);

    /// <summary>A browser of one clerk: its own cookies, no automatic redirects, antiforgery tokens taken from the pages.</summary>
    private sealed partial class WebBrowser : IDisposable
    {
        private readonly CookieContainer _cookies = new();
        private readonly HttpClient _http;

        public WebBrowser(Uri web) =>
            _http = new HttpClient(new SocketsHttpHandler { CookieContainer = _cookies, AllowAutoRedirect = false }) { BaseAddress = web };

        public bool HasSignInCookie => _cookies.GetCookies(_http.BaseAddress!).Any(c => c.Name == "servicehall.clerk");

        public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        public async Task<string> TextAsync(string path)
        {
            var r = await GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"GET {path}: {r.StatusCode}");
            return await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }

        public Task<HttpResponseMessage> SignInAsync(string id, string secret) =>
            PostFormAsync("/SignIn", new() { ["ClerkId"] = id, ["Secret"] = secret });

        /// <summary>Posts <paramref name="fields"/> with the antiforgery token of the page at <paramref name="tokenFrom"/> (default: <paramref name="path"/>).</summary>
        public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields, string? tokenFrom = null)
        {
            var page = await TextAsync(tokenFrom ?? path);
            fields["__RequestVerificationToken"] = Token().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"No antiforgery token on {tokenFrom ?? path}.");
            using var form = new FormUrlEncodedContent(fields);
            return await _http.PostAsync(new Uri(path, UriKind.Relative), form, TestContext.Current.CancellationToken);
        }

        /// <summary>Posts exactly <paramref name="fields"/>, in order and with repeats, as a browser serialises a form.</summary>
        public async Task<HttpResponseMessage> PostRawAsync(string path, IEnumerable<KeyValuePair<string, string>> fields)
        {
            using var form = new FormUrlEncodedContent(fields);
            return await _http.PostAsync(new Uri(path, UriKind.Relative), form, TestContext.Current.CancellationToken);
        }

        public void Dispose() => _http.Dispose();

        [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
        private static partial Regex Token();
    }
}
