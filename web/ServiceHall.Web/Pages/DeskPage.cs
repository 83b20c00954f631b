using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Core.Cases;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Pages;

/// <summary>Base of the pages where a clerk acts: the clerk comes only from <c>HttpContext.User</c>.</summary>
public abstract class DeskPage : PageModel
{
    /// <summary>The signed-in clerk (pages under authorization always have one).</summary>
    public CaseActor Clerk => ClerkClaims.Actor(User) ?? throw new InvalidOperationException("No clerk is signed in.");

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
