using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// A clerk at the browser of a node program that serves its front desk: signs in through the sign-in form (with its
/// anti-forgery token), then, every few seconds while the load phase runs, opens the queue, the newest case of the queue
/// and the catalogue, as a clerk working through the day's queue does. So the front-desk village's peak memory includes
/// pages actually rendered, not only the module loaded. Every answer that is not 200 OK is recorded as a failure.
/// </summary>
internal static partial class FrontDeskVisitor
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(3);

    /// <summary>Visits until <paramref name="cancellationToken"/> is cancelled; returns the pages viewed and the failures.</summary>
    public static async Task<(int Views, IReadOnlyList<string> Failures)> VisitAsync(ProcessNode node, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var views = 0;
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(node.WebUrl!), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var (id, secret) = node.Clerks.WindowClerk;
            var form = await http.GetStringAsync(new Uri("/SignIn", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            views++;
            var token = AntiForgeryToken().Match(form);
            using var content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["ClerkId"] = id,
                ["Secret"] = secret,
                ["__RequestVerificationToken"] = token.Success ? token.Groups[1].Value : "",
            });
            using var signIn = await http.PostAsync(new Uri("/SignIn", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            if (signIn.StatusCode != HttpStatusCode.Redirect)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"sign-in as {id}: {(int)signIn.StatusCode} (expected a redirect)"));
                return (views, failures);
            }

            while (true)
            {
                var queue = await ViewAsync(http, "/", failures, cancellationToken).ConfigureAwait(false);
                views++;
                if (queue is not null && CaseLink().Match(queue) is { Success: true } newest)
                {
                    await ViewAsync(http, newest.Groups[1].Value, failures, cancellationToken).ConfigureAwait(false);
                    views++;
                }

                await ViewAsync(http, "/Catalogue", failures, cancellationToken).ConfigureAwait(false);
                views++;
                await Task.Delay(Every, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (views, failures);
        }
        catch (HttpRequestException ex)
        {
            failures.Add($"front desk of {node.Id}: {ex.Message}");
            return (views, failures);
        }
    }

    private static async Task<string?> ViewAsync(HttpClient http, string path, List<string> failures, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        failures.Add(string.Create(CultureInfo.InvariantCulture, $"GET {path}: {(int)response.StatusCode}"));
        return null;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgeryToken();

    [GeneratedRegex("href=\"(/Cases/[^\"?#]+)\"")]
    private static partial Regex CaseLink();
}
