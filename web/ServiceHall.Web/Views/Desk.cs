using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RazorSlices;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Nodes;
using ServiceHall.Web.Identity;
using ServiceHall.Web.Localization;

namespace ServiceHall.Web.Views;

/// <summary>
/// What every page and its layout are rendered with: the texts, this node, the signed-in clerk (only from
/// <c>HttpContext.User</c>: the cookie, re-checked against the registry on every request), the address of the page for the
/// language switch, and the anti-forgery field its forms post. Templates get it in their model, never from services.
/// </summary>
public sealed class Desk
{
    private readonly string? _antiforgeryField;

    private Desk(Ui t, NodeIdentity node, Clerk? clerk, string here, string? antiforgeryField)
    {
        T = t;
        Node = node;
        Clerk = clerk;
        Here = here;
        _antiforgeryField = antiforgeryField;
    }

    /// <summary>The page texts in the request's language.</summary>
    public Ui T { get; }

    /// <summary>This node.</summary>
    public NodeIdentity Node { get; }

    /// <summary>The signed-in clerk, or null on the anonymous pages (sign-in, catalogue).</summary>
    public Clerk? Clerk { get; }

    /// <summary>Path and query of this request (where the language switch returns to).</summary>
    public string Here { get; }

    /// <summary>The signed-in clerk, on the pages that require one.</summary>
    public Clerk SignedIn => Clerk ?? throw new InvalidOperationException("No clerk is signed in.");

    /// <summary>
    /// The hidden anti-forgery field of a form that posts (<see cref="IAntiforgery"/>'s request token, checked by the
    /// anti-forgery middleware and form binding on the post).
    /// </summary>
    public IHtmlContent AntiforgeryField => new HtmlString(_antiforgeryField ?? throw new InvalidOperationException("The page was built without a form token."));

    /// <summary>
    /// The desk of this request. A page with a form (every page of a signed-in clerk: the sign-out button) gets its
    /// anti-forgery token here, before the response starts, since storing the token sets a cookie and headers.
    /// </summary>
    public static Desk For(HttpContext http, bool form = false) => Create(http, formToken: form || ClerkSignIn.Current(http?.User) is not null);

    /// <summary>The desk of a response without forms (the rows alone, for the refresh script): no anti-forgery token is made.</summary>
    public static Desk WithoutForms(HttpContext http) => Create(http, formToken: false);

    private static Desk Create(HttpContext? http, bool formToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var services = http.RequestServices;
        string? field = null;
        if (formToken)
        {
            var tokens = services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
            field = $"<input name=\"{Encoder.Encode(tokens.FormFieldName)}\" type=\"hidden\" value=\"{Encoder.Encode(tokens.RequestToken ?? "")}\" />";
        }

        return new Desk(services.GetRequiredService<Ui>(), services.GetRequiredService<NodeIdentity>(), ClerkSignIn.Current(http.User), http.Request.Path + http.Request.QueryString, field);
    }

    /// <summary>
    /// The pages' encoder: markup characters are encoded, Chinese text is written as is, not as <c>&amp;#x…;</c> entities
    /// (the pages are UTF-8). Layouts and partials render through the page's.
    /// </summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(new TextEncoderSettings(UnicodeRanges.All));

    /// <summary>A page as the response: the slice <typeparamref name="TSlice"/> over <paramref name="model"/>.</summary>
    public static IResult Page<TSlice, TModel>(TModel model, int statusCode = StatusCodes.Status200OK)
        where TSlice : IRazorSliceProxy<TModel>
    {
        var slice = TSlice.CreateSlice(model);
        slice.StatusCode = statusCode;
        slice.HtmlEncoder = Encoder;
        return slice;
    }
}

/// <summary>What the layout of every page needs: the desk and the page's title.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Title">The page's title (before the node's name in the browser's title bar).</param>
public sealed record PageFrame(Desk Desk, string Title);

/// <summary>A page refused to the clerk: a localized headline (English key) and the reason <see cref="ClerkPermissions"/> gave.</summary>
/// <param name="Headline">What the clerk may not do, as an English key of <see cref="Ui"/>.</param>
/// <param name="Reason">The permission's own reason.</param>
public sealed record PageRefusal(string Headline, string Reason);

/// <summary>The page that only says what was refused, as 403 Forbidden.</summary>
/// <param name="Desk">The request's desk.</param>
/// <param name="Title">The title of the page that was refused (empty where it had none yet).</param>
/// <param name="Refusal">What and why.</param>
public sealed record RefusedView(Desk Desk, string Title, PageRefusal Refusal);
