using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using ServiceHall.Web.Endpoints;
using ServiceHall.Web.Identity;
using ServiceHall.Web.Localization;

namespace ServiceHall.Web;

/// <summary>
/// The web front desk as a node module: the node hosts pass <see cref="AddServices"/> and <see cref="Map"/> to
/// <c>NodeProgram.RunAsync</c>, so a host stays one line and core never references the web.
/// Pages are server-rendered: minimal endpoints (<c>Endpoints/</c>, one class per area) build a model and render a
/// RazorSlices template (<c>Slices/</c>), with no MVC, so the module trims and compiles ahead of time. CSS and the small
/// refresh script are embedded in this assembly and served by the node under <c>/assets/</c> in every run mode. Chinese
/// (zh-CN) is the default; a cookie switches to English.
/// </summary>
public static class FrontDesk
{
    /// <summary>Where the embedded assets are served.</summary>
    public const string AssetsPath = "/assets";

    /// <summary>Registers cookie sign-in, authorization, anti-forgery, request localization and the page helpers.</summary>
    public static void AddServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/SignIn";
                o.LogoutPath = "/SignOut";
                o.Cookie.Name = "servicehall.clerk";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                // The cookie only says who signed in: every request holds it against the registry row this node has now.
                o.Events.OnValidatePrincipal = RecheckClerkAsync;
            });
        builder.Services.AddAuthorization();
        // Every post carries the token of its page (Desk.AntiforgeryField); UseAntiforgery checks it on every endpoint that reads a form.
        builder.Services.AddAntiforgery();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<ClerkSignIn>();
        builder.Services.AddSingleton<Ui>();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            CultureInfo[] cultures = [Ui.Chinese, Ui.English];
            o.DefaultRequestCulture = new RequestCulture(Ui.Chinese);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            // Chinese unless the clerk switched: the browser's Accept-Language does not decide (a hall's PCs are set up anyhow).
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
    }

    private static Task BadRequest(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    }

    private static async Task RecheckClerkAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        if (services.GetRequiredService<ClerkSignIn>().Recheck(context.Principal) is { } why)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FrontDesk)).LogInformation("Web clerk signed out: {Reason}", why);
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ClerkSignIn.Scheme);
        }
    }

    /// <summary>
    /// Adds the middleware (assets, localization, sign-in, anti-forgery) and maps the pages and the language switch. Every
    /// page needs a signed-in clerk except sign-in and the catalogue (a visitor may read the service guides).
    /// </summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new ManifestEmbeddedFileProvider(typeof(FrontDesk).Assembly, "Assets"),
            RequestPath = AssetsPath,
        });
        app.UseRequestLocalization();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        // A post whose token the middleware found wrong is refused here with 400, before anything reads its form (the generated
        // binders would throw on reading it, a 500).
        app.Use((http, next) => http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } ? BadRequest(http) : next(http));
        var anonymous = app.MapGroup("").AllowAnonymous();
        var clerks = app.MapGroup("").RequireAuthorization();
        SignInEndpoints.Map(anonymous, clerks);
        CatalogueEndpoints.Map(anonymous);
        QueueEndpoints.Map(clerks);
        IntakeEndpoints.Map(clerks);
        CaseEndpoints.Map(clerks);
        DashboardEndpoints.Map(clerks);
        app.MapGet("/language/{culture}", (string culture, string? returnUrl, HttpContext http) =>
        {
            var chosen = culture == Ui.English.Name ? Ui.English : Ui.Chinese;
            http.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, MaxAge = TimeSpan.FromDays(365) });
            return Results.LocalRedirect(returnUrl is { Length: > 0 } u && u.StartsWith('/') && !u.StartsWith("//", StringComparison.Ordinal) ? u : "/");
        });
    }
}
