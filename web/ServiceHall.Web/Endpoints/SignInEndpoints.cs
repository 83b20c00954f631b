using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServiceHall.Web.Identity;
using ServiceHall.Web.Views;

namespace ServiceHall.Web.Endpoints;

/// <summary>
/// Sign-in of a clerk with id and secret through <see cref="ClerkSignIn"/>, the one identity seam, and sign-out. Sign-in is
/// anonymous; sign-out needs a signed-in clerk. Both posts carry the anti-forgery token (checked when the form is bound).
/// </summary>
internal static class SignInEndpoints
{
    public static void Map(IEndpointRouteBuilder anonymous, IEndpointRouteBuilder clerks)
    {
        anonymous.MapGet("/SignIn", (HttpContext http, string? returnUrl) =>
            Desk.Page<Slices.SignIn, SignInView>(new(Desk.For(http, form: true), null, returnUrl, new FormErrors())));
        anonymous.MapPost("/SignIn", SignInAsync);
        clerks.MapGet("/SignOut", () => Results.Redirect("/"));
        clerks.MapPost("/SignOut", async (HttpContext http, IFormCollection form) =>
        {
            _ = form; // bound so that the anti-forgery token is checked
            await http.SignOutAsync(ClerkSignIn.Scheme);
            return Results.Redirect("/SignIn");
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IFormCollection form, ClerkSignIn signIn)
    {
        var clerkId = FormValues.Text(form["ClerkId"]);
        // As form binding did: the posted field if there is one (an empty one means none), else the query's.
        var returnUrl = form.ContainsKey("ReturnUrl") ? FormValues.Text(form["ReturnUrl"]) : FormValues.Text(http.Request.Query["ReturnUrl"]);
        var result = signIn.SignIn(clerkId, FormValues.Text(form["Secret"]), http.Connection.RemoteIpAddress?.ToString());
        if (result.Principal is null)
        {
            var errors = new FormErrors();
            foreach (var (field, message) in result.Errors)
            {
                errors.Add(field, message);
            }

            return Desk.Page<Slices.SignIn, SignInView>(new(Desk.For(http, form: true), clerkId, returnUrl, errors));
        }

        await http.SignInAsync(ClerkSignIn.Scheme, result.Principal);
        return Results.LocalRedirect(IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>A path on this site ("/x", "~/x"; not "//host" or "/\host", no control characters): where a sign-in may return.</summary>
    private static bool IsLocalUrl(string? url) => url switch
    {
        null or "" => false,
        ['/'] or ['~', '/'] => true,
        ['/', var next, ..] => next is not '/' and not '\\' && !url.Any(char.IsControl),
        ['~', '/', var next, ..] => next is not '/' and not '\\' && !url.Any(char.IsControl),
        _ => false,
    };
}
