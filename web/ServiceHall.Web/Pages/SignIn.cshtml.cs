using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using ServiceHall.Core.Catalogue;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Pages;

/// <summary>Sign-in of a clerk through <see cref="ClerkSignIn"/>, the one identity seam.</summary>
public sealed class SignInModel(ClerkSignIn signIn, CatalogueRepository catalogue) : PageModel
{
    [BindProperty]
    public string? UserId { get; set; }

    [BindProperty]
    public string? Department { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IReadOnlyList<Department> Departments { get; private set; } = [];

    public void OnGet() => Departments = catalogue.ListDepartments();

    public async Task<IActionResult> OnPostAsync()
    {
        var result = signIn.SignIn(UserId, Department);
        if (result.Principal is null)
        {
            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field, message);
            }

            Departments = catalogue.ListDepartments();
            return Page();
        }

        await HttpContext.SignInAsync(ClerkSignIn.Scheme, result.Principal);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
