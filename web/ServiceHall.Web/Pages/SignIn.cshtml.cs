using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Pages;

/// <summary>Sign-in of a clerk with id and secret through <see cref="ClerkSignIn"/>, the one identity seam.</summary>
public sealed class SignInModel(ClerkSignIn signIn) : PageModel
{
    [BindProperty]
    public string? ClerkId { get; set; }

    /// <summary>The secret as posted; never written back into the page.</summary>
    [BindProperty]
    public string? Secret { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = signIn.SignIn(ClerkId, Secret, HttpContext.Connection.RemoteIpAddress?.ToString());
        Secret = null;
        if (result.Principal is null)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field, message);
            }

            return Page();
        }

        await HttpContext.SignInAsync(ClerkSignIn.Scheme, result.Principal);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
