using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ServiceHall.Cli.Devnet;
using ServiceHall.Cli.Profiles;
using ServiceHall.Testing;
using static Microsoft.Playwright.Assertions;

namespace ServiceHall.Web.Tests;

/// <summary>
/// The front desk end to end in headless Chromium over real node processes (a devnet of city, one township, one village,
/// started with the real <c>servicehall</c> program): a clerk files a business registration at the village's page, it is
/// routed up, the four departments approve it on the city's pages, and the village's page shows it approved. Every clerk
/// signs in with the id and secret that devnet registered at the city and wrote to <c>DIR/clerks.json</c>. The test
/// takes the README's screenshots on the way (docs/screenshots/ with SERVICEHALL_SCREENSHOTS=1). Everything it starts is killed in DisposeAsync.
/// </summary>
[Collection(RealNodes.Name)]
[Trait("Category", "Process")]
public sealed partial class FrontDeskFlowTests : IAsyncDisposable
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SyncLimit = TimeSpan.FromSeconds(120);
    private static readonly string[] BizDepartments = ["MKT", "QS", "TAX", "PSB"];
    private readonly DevnetSession _devnet = new();

    public ValueTask DisposeAsync() => _devnet.DisposeAsync();

    [Fact(Timeout = 600_000)]
    public async Task BusinessRegistration_FiledOnTheVillagePage_ApprovedByFourDepartmentsOnTheCityPages_ShownApprovedAtTheVillage()
    {
        await UpAsync();
        await using var chromium = await ChromiumBrowser.LaunchAsync();
        string village = Web("t01-v01"), township = Web("t01"), city = Web("city");

        // Pages and assets come from the node itself (no CDN): the stylesheet is served at the node's web address.
        // A wrong secret signs nobody in, and the page does not say whether the id exists.
        var stranger = await chromium.NewPageAsync();
        await stranger.GotoAsync(village + "/SignIn");
        await stranger.Locator("#ClerkId").FillAsync("window@t01-v01");
        await stranger.Locator("#Secret").FillAsync("not-the-secret");
        await ShotAsync(stranger, "sign-in");
        await stranger.Locator("#sign-in").ClickAsync();
        await Expect(stranger.Locator(".field-error")).ToContainTextAsync("工作人员编号或密码错误");
        await Expect(stranger.Locator(".clerk")).ToHaveCountAsync(0);

        var clerk = await SignInAsync(chromium, village, "window@t01-v01");
        var css = await clerk.Context.APIRequest.GetAsync(village + "/assets/site.css");
        Assert.Equal(200, css.Status);

        // Catalogue: the item's full service guide and its materials.
        await clerk.GotoAsync(village + "/Catalogue/CITY-BIZ-REG");
        await Expect(clerk.Locator("h1")).ToContainTextAsync("企业设立登记");
        var materials = await clerk.Locator("#materials tbody tr").CountAsync();
        Assert.True(materials >= 4, $"{materials} materials listed");
        await ShotAsync(clerk, "catalogue-item");

        // Intake: the checklist and the due date are shown before submitting.
        await clerk.GetByRole(AriaRole.Link, new() { Name = "受理登记" }).Last.ClickAsync();
        await Expect(clerk.Locator("#due-preview")).ToContainTextAsync(DateText());
        await clerk.Locator("#IdNumber").FillAsync("91370982MA3C000001");
        await clerk.Locator("#Phone").FillAsync("0538-7220000");
        foreach (var box in await clerk.Locator("#checklist input[type=checkbox]").AllAsync())
        {
            await box.CheckAsync();
        }

        // A submission the server refuses keeps everything entered and names the field.
        await clerk.Locator("#submit-case").ClickAsync();
        await Expect(clerk.Locator(".field-error[data-field=ApplicantName]")).ToBeVisibleAsync();
        await Expect(clerk.Locator("#IdNumber")).ToHaveValueAsync("91370982MA3C000001");
        await Expect(clerk.Locator("#checklist input[type=checkbox]:not(:checked)")).ToHaveCountAsync(0);
        await ShotAsync(clerk, "intake-error");

        await clerk.Locator("#ApplicantName").FillAsync("新泰东成商贸有限公司");
        await ShotAsync(clerk, "intake");
        await clerk.Locator("#submit-case").ClickAsync();
        await clerk.WaitForURLAsync(new Regex("/Cases/t01-v01-"));
        var n = clerk.Url[(clerk.Url.LastIndexOf('/') + 1)..];
        await Expect(clerk.Locator("#case-status")).ToContainTextAsync("已提交");

        // The village may only route a city item up: no accept, no decision offered.
        await Expect(clerk.Locator("#act-Accepted")).ToHaveCountAsync(0);
        await Expect(clerk.Locator("#act-Decided")).ToHaveCountAsync(0);
        await clerk.Locator("#do-Routed").ClickAsync();
        await Expect(clerk.Locator("#timeline li[data-kind=Routed]")).ToHaveCountAsync(1);

        // The township's queue picks the case up as it arrives by sync, without a reload of the page.
        var towner = await SignInAsync(chromium, township, "window@t01");
        await towner.GotoAsync(township + "/");
        await towner.EvaluateAsync("window.__notReloaded = true");
        await UntilAsync($"{n} in the township's queue", async () =>
        {
            await Cli("sync", "now", "--node", Url("t01-v01"));
            return await towner.Locator($"#queue tr[data-case='{n}']").CountAsync() == 1;
        });
        Assert.True(await towner.EvaluateAsync<bool>("window.__notReloaded === true"), "the queue page was reloaded");
        await ShotAsync(towner, "queue-township");
        await towner.Locator($"#queue tr[data-case='{n}'] a").ClickAsync();
        await towner.Locator("#do-Routed").ClickAsync();
        await Expect(towner.Locator("#timeline li[data-kind=Routed]")).ToHaveCountAsync(2);

        // At the city: the lead department accepts once the case arrives.
        var pages = new Dictionary<string, IPage>(StringComparer.Ordinal);
        foreach (var d in BizDepartments)
        {
            pages[d] = await SignInAsync(chromium, city, $"{d.ToLowerInvariant()}@city");
        }

        var lead = pages["MKT"];
        await UntilAsync($"{n} at the city", async () =>
        {
            await Cli("sync", "now", "--node", Url("t01"));
            await lead.GotoAsync(city + "/Cases/" + n);
            return await lead.Locator("#act-Accepted").CountAsync() == 1;
        });
        await lead.Locator("#do-Accepted").ClickAsync();
        await Expect(lead.Locator("#case-status")).ToContainTextAsync("已受理");

        // Each department finds the case in its own review queue and approves it on its own page.
        foreach (var d in BizDepartments)
        {
            var p = pages[d];
            await p.GotoAsync(city + "/Reviews");
            var row = p.Locator($"#review-queue tr[data-case='{n}']");
            await Expect(row).ToHaveCountAsync(1);
            if (d == "TAX")
            {
                await ShotAsync(p, "review-queue");
            }

            await row.Locator("a.button").ClickAsync();
            await Expect(p.Locator("#act-OpinionRecorded")).ToHaveCountAsync(1);
            await p.Locator("#act-OpinionRecorded select[name=Opinion]").SelectOptionAsync("Approve");
            await p.Locator("#act-OpinionRecorded input[name=Reason]").FillAsync($"{d} 审查通过");
            await p.Locator("#act-OpinionRecorded button[type=submit]").ClickAsync();
            await Expect(p.Locator($"#reviews tr[data-department={d}] .opinion")).ToContainTextAsync("同意");
            await Expect(p.Locator("#act-OpinionRecorded")).ToHaveCountAsync(0);
        }

        // A department that is not the lead is not offered the decision; the lead decides.
        await pages["QS"].ReloadAsync();
        await Expect(pages["QS"].Locator("#act-Decided")).ToHaveCountAsync(0);
        await lead.ReloadAsync();
        await lead.Locator("#act-Decided input[name=Reason]").FillAsync("准予设立登记");
        await lead.Locator("#decide-approve").ClickAsync();
        await Expect(lead.Locator("#case-status")).ToContainTextAsync("准予");
        await ShotAsync(lead, "case-city");

        // Back at the village the case shows approved once sync has carried the decision down.
        await UntilAsync($"{n} approved at the village", async () =>
        {
            await Cli("sync", "now", "--node", Url("t01"));
            await Cli("sync", "now", "--node", Url("t01-v01"));
            await clerk.GotoAsync(village + "/Cases/" + n);
            return (await clerk.Locator("#case-status").InnerTextAsync()).Contains("准予", StringComparison.Ordinal);
        });
        await Expect(clerk.Locator("#timeline li[data-kind=OpinionRecorded]")).ToHaveCountAsync(4);
        await Expect(clerk.Locator("#timeline li[data-kind=Decided]")).ToContainTextAsync("准予设立登记");
        await ShotAsync(clerk, "case-village-approved");

        // The village delivers and enters the applicant's evaluation.
        await clerk.Locator("#do-Delivered").ClickAsync();
        await Expect(clerk.Locator("#evaluation")).ToBeVisibleAsync();
        await clerk.Locator("#evaluation select[name=Rating]").SelectOptionAsync("5");
        await clerk.Locator("#evaluation textarea[name=Comment]").FillAsync("两小时办完，一次跑腿");
        await ShotAsync(clerk, "evaluation");
        await clerk.Locator("#do-Evaluated").ClickAsync();
        await Expect(clerk.Locator("#case-summary")).ToContainTextAsync("非常满意");

        // The city's dashboard is not a reviewer's: it is refused, and not in the menu.
        await Expect(lead.Locator("header nav a[href='/Dashboard']")).ToHaveCountAsync(0);
        Assert.Equal(403, (await lead.GotoAsync(city + "/Dashboard"))!.Status);
        await Expect(lead.Locator("#refused")).ToBeVisibleAsync();
        await Expect(lead.Locator("#totals")).ToHaveCountAsync(0);

        // The city's operator sees it: statistics as tables and SVG charts, and every node's sync health.
        var operatorPage = await SignInAsync(chromium, city, "operator@city");
        await Expect(operatorPage.Locator("header nav a[href='/Cases/New']")).ToHaveCountAsync(0);
        await UntilAsync("the evaluation at the city", async () =>
        {
            await Cli("sync", "now", "--node", Url("t01-v01"));
            await Cli("sync", "now", "--node", Url("t01"));
            await operatorPage.GotoAsync(city + "/Dashboard");
            return (await operatorPage.Locator("#totals tbody td").Last.InnerTextAsync()).Trim() == "5.00";
        });
        // Every registered node is on the map and in the table (the seed registers the whole city), this devnet's among them.
        await Expect(operatorPage.Locator("#sync-map .map-node")).ToHaveCountAsync(await operatorPage.Locator("#sync-health tbody tr").CountAsync());
        await Expect(operatorPage.Locator("#sync-map .map-node[data-node=t01-v01]")).ToHaveCountAsync(1);
        await Expect(operatorPage.Locator("#sync-health tr[data-node=t01-v01]")).ToBeVisibleAsync();
        await Expect(operatorPage.Locator("#chart-ontime-township rect")).Not.ToHaveCountAsync(0);
        await ShotAsync(operatorPage, "dashboard", fullPage: false);
        await operatorPage.Locator("#sync-map").ScreenshotAsync(new LocatorScreenshotOptions { Path = ShotPath("sync-map") });

        // English on request; Chinese stays the default for everyone else.
        await operatorPage.Locator("#lang").ClickAsync();
        await Expect(operatorPage.Locator("h1")).ToHaveTextAsync("Dashboard");
        await ShotAsync(operatorPage, "dashboard-en", fullPage: false);
        await pages["QS"].GotoAsync(city + "/");
        await Expect(pages["QS"].Locator("h1")).ToHaveTextAsync("办件队列");
    }

    /// <summary>A new browser context signed in at <paramref name="node"/> as <paramref name="clerkId"/>, with the secret devnet wrote for it.</summary>
    private async Task<IPage> SignInAsync(ChromiumBrowser chromium, string node, string clerkId)
    {
        var credential = (ClerkProfile.Load(_devnet.Directory) ?? throw new InvalidOperationException($"devnet wrote no {ClerkProfile.FileName}"))
            .Clerks.Single(c => c.Id == clerkId);
        var page = await chromium.NewPageAsync();
        await page.GotoAsync(node + "/");
        await page.WaitForURLAsync(new Regex("/SignIn"));
        await page.Locator("#ClerkId").FillAsync(credential.Id);
        await page.Locator("#Secret").FillAsync(credential.Secret);
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.Locator(".clerk")).ToContainTextAsync(clerkId);
        return page;
    }

    private async Task UpAsync()
    {
        // The nodes need no configuration reload; without it they take no inotify instance, of which a shared machine
        // has few (128 per user: a city-scale bench running alongside used 87).
        await _devnet.UpAsync(1, 1, new Dictionary<string, string?> { ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false" });
        Assert.All(_devnet.Net.Nodes, x => Assert.False(string.IsNullOrEmpty(x.WebUrl), $"{x.Id} has no webUrl in devnet.json"));
    }

    private string Url(string id) => _devnet.Url(id);

    private string Web(string id) => _devnet.Net.Nodes.Single(x => x.Id == id).WebUrl!;

    /// <summary>Probes every second until it says done, for at most <see cref="SyncLimit"/> (sync between processes takes its time).</summary>
    private static async Task UntilAsync(string what, Func<Task<bool>> probe)
    {
        var until = Stopwatch.StartNew();
        while (!await probe())
        {
            if (until.Elapsed > SyncLimit)
            {
                Assert.Fail($"{what}: not seen within {SyncLimit}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        }
    }

    private Task<CliResult> Cli(params string[] args) => _devnet.CliAsync(CallLimit, args);

    /// <summary>
    /// Saves a full-page screenshot NAME.png: into docs/screenshots/ in the source tree (shown in the README) when
    /// <c>SERVICEHALL_SCREENSHOTS=1</c>, else beside the test binaries, so that an ordinary test run leaves the tree clean.
    /// </summary>
    private static async Task ShotAsync(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ShotPath(name), FullPage = fullPage });

    private static string ShotPath(string name)
    {
        var dir = Environment.GetEnvironmentVariable("SERVICEHALL_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot.Path, "docs", "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DateText();
}
