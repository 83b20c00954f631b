using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Hosting;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Pages;

/// <summary>A page refused to the clerk: a localized headline (English key) and the reason <see cref="ClerkPermissions"/> gave.</summary>
/// <param name="Headline">What the clerk may not do, as an English key of <see cref="Localization.Ui"/>.</param>
/// <param name="Reason">The permission's own reason.</param>
public sealed record PageRefusal(string Headline, string Reason);

/// <summary>
/// Base of the pages where a clerk acts: the clerk comes only from <c>HttpContext.User</c> (the cookie, re-checked against
/// the registry on every request); what the clerk may do is asked of <see cref="ClerkPermissions"/>, as the client API does.
/// </summary>
public abstract class DeskPage : PageModel
{
    /// <summary>The signed-in clerk (pages under authorization always have one).</summary>
    public Clerk Clerk => ClerkSignIn.Current(User) ?? throw new InvalidOperationException("No clerk is signed in.");

    /// <summary>The actor the signed-in clerk's case events record.</summary>
    public CaseActor Actor => Clerk.Actor;

    /// <summary>This node.</summary>
    public NodeIdentity Node => HttpContext.RequestServices.GetRequiredService<NodeIdentity>();

    /// <summary>Set when the page refuses the clerk: the page shows this and nothing else.</summary>
    public PageRefusal? Refusal { get; private set; }

    /// <summary>The page with only the refusal on it, as 403 Forbidden, when <paramref name="denial"/> (from <see cref="ClerkPermissions"/>) is not null.</summary>
    protected PageResult? Refuse(string headline, string? denial)
    {
        if (denial is null)
        {
            return null;
        }

        Refusal = new PageRefusal(headline, denial);
        var page = Page();
        page.StatusCode = StatusCodes.Status403Forbidden;
        return page;
    }

    /// <summary>
    /// Puts a refused action into the model state: next to the field when the desk named one (through
    /// <paramref name="fieldKey"/>, which maps the desk's field name to the form's), else as the form's own error under
    /// <paramref name="formKey"/>.
    /// </summary>
    protected void AddError(CaseActionException e, string formKey, Func<string, string?> fieldKey)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(fieldKey);
        var key = e.Field is { } f ? fieldKey(f) ?? formKey : formKey;
        // The desk's "<field> is required." reads as the page's own words next to the field; other messages are shown as given.
        var message = e.Field is not null && e.Message == $"{e.Field} is required." ? "This field is required." : e.Message;
        ModelState.AddModelError(key, message);
    }
}
