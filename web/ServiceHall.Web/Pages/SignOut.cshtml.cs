using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Pages;

/// <summary>Signs the clerk out.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ClerkSignIn.Scheme);
        return RedirectToPage("/SignIn");
    }
}
