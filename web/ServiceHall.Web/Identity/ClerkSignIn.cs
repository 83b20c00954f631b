using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Web.Identity;

/// <summary>What the sign-in form gave: the principal, or the problem of each field.</summary>
/// <param name="Principal">The clerk's principal; null when a field is wrong.</param>
/// <param name="Errors">Field name → message (English key for <see cref="Localization.Ui"/>).</param>
public sealed record ClerkSignInResult(ClaimsPrincipal? Principal, IReadOnlyDictionary<string, string> Errors);

/// <summary>
/// THE seam of clerk identity for the web: turns the sign-in form into the <see cref="ClaimsPrincipal"/> that every page
/// reads (only from <c>HttpContext.User</c>, through <see cref="ClerkClaims.Actor"/>).
/// <para>
/// CLAIMED IDENTITY until clerk credentials land (issue #6): like the CLI and the gRPC API today, the clerk states a user
/// id and a department and is believed. Requiring a password (or any credential check) belongs here and nowhere else:
/// refuse in <see cref="SignIn"/>, and the pages need no change.
/// </para>
/// </summary>
public sealed class ClerkSignIn(CatalogueRepository catalogue)
{
    /// <summary>The authentication scheme of the clerk's cookie.</summary>
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>Checks the form and builds the clerk's principal.</summary>
    public ClerkSignInResult SignIn(string? userId, string? department)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(userId))
        {
            errors["UserId"] = "Enter your clerk id.";
        }
        else if (userId.Trim().Length > CaseDesk.MaxShortText)
        {
            errors["UserId"] = "The clerk id is too long.";
        }

        if (string.IsNullOrWhiteSpace(department))
        {
            errors["Department"] = "Choose your department.";
        }
        else if (!catalogue.ListDepartments().Any(d => d.Code == department))
        {
            errors["Department"] = "This department is not in the catalogue.";
        }

        if (errors.Count > 0)
        {
            return new ClerkSignInResult(null, errors);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, userId!.Trim()), new Claim(ClaimTypes.Name, userId.Trim()), new Claim(ClerkClaims.Department, department!)],
            Scheme);
        return new ClerkSignInResult(new ClaimsPrincipal(identity), errors);
    }
}

/// <summary>Reads the acting clerk from a signed-in principal.</summary>
public static class ClerkClaims
{
    /// <summary>Claim type of the clerk's department code.</summary>
    public const string Department = "servicehall:department";

    /// <summary>The clerk as the case code records it, or null when nobody is signed in.</summary>
    public static CaseActor? Actor(ClaimsPrincipal? user)
    {
        var id = user?.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var department = user?.FindFirst(Department)?.Value;
        return user?.Identity?.IsAuthenticated == true && id is { Length: > 0 } && department is { Length: > 0 } ? new CaseActor(id, department) : null;
    }
}
