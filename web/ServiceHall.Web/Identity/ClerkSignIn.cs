using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Logging;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Web.Identity;

/// <summary>What the sign-in form gave: the principal, or the problem of each field.</summary>
/// <param name="Principal">The clerk's principal; null when the sign-in was refused.</param>
/// <param name="Errors">Field name → message (English key for <see cref="Localization.Ui"/>); <see cref="ClerkSignIn.FormKey"/> for the form as a whole.</param>
public sealed record ClerkSignInResult(ClaimsPrincipal? Principal, IReadOnlyDictionary<string, string> Errors);

/// <summary>
/// THE seam of clerk identity for the web: checks the sign-in form's clerk id and secret against this node's
/// <see cref="ClerkRegistry"/> (as the client API does) and turns the clerk into the cookie's <see cref="ClaimsPrincipal"/>
/// (<see cref="ClerkPrincipal"/>'s claims: id, name, node, scope, department, role, plus a stamp of the stored secret);
/// <see cref="Recheck"/> holds the cookie against the registry row on every request, so a clerk disabled, moved or
/// re-keyed at the city is signed out at a node once the node has synced the change. Pages read the clerk only through
/// <see cref="Current"/>.
/// </summary>
public sealed partial class ClerkSignIn(ClerkRegistry registry, SignInThrottle throttle, ILogger<ClerkSignIn> logger)
{
    /// <summary>The authentication scheme of the clerk's cookie.</summary>
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>Model-state key of an error of the whole form.</summary>
    public const string FormKey = "";

    /// <summary>The one answer to an unknown id or a wrong secret: it does not say which.</summary>
    public const string Refused = "Unknown clerk id or wrong secret.";

    private const string StampClaim = "servicehall:secret-stamp";

    /// <summary>Too many failures for the id or the address (<see cref="SignInThrottle"/>).</summary>
    public const string Throttled = "Too many failed sign-ins; wait a few minutes and try again.";

    /// <summary>Checks the form's id and secret (unless <see cref="SignInThrottle"/> has closed the id or <paramref name="address"/>) and builds the clerk's principal.</summary>
    public ClerkSignInResult SignIn(string? clerkId, string? secret, string? address)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(clerkId))
        {
            errors["ClerkId"] = "Enter your clerk id.";
        }

        if (string.IsNullOrEmpty(secret))
        {
            errors["Secret"] = "Enter your secret.";
        }

        if (errors.Count > 0)
        {
            return new ClerkSignInResult(null, errors);
        }

        var id = clerkId!.Trim();
        if (throttle.IsClosed(id, address))
        {
            LogThrottled(logger, address);
            errors[FormKey] = Throttled;
            return new ClerkSignInResult(null, errors);
        }

        var result = registry.SignIn(id, secret!);
        if (result is not { Failure: null, Clerk: { } clerk, SecretStamp: { } stamp })
        {
            LogRefused(logger, result.Failure);
            throttle.Failed(id, address);
            errors[FormKey] = result.Failure == SignInFailure.Disabled ? "This clerk is disabled." : Refused;
            return new ClerkSignInResult(null, errors);
        }

        throttle.Succeeded(id);
        return new ClerkSignInResult(ClerkPrincipal.Create(clerk, Scheme, new Claim(StampClaim, stamp)), errors);
    }

    /// <summary>
    /// Why a signed-in principal no longer stands (its clerk is gone from this node, disabled, moved to another node,
    /// role, department or scope, or its secret was reset), or null if it still does.
    /// </summary>
    public string? Recheck(ClaimsPrincipal? principal)
    {
        if (Current(principal) is not { } clerk)
        {
            return "the cookie does not hold a clerk";
        }

        if (registry.Find(clerk.Id) is not var (held, stamp))
        {
            return $"clerk {clerk.Id} is not held by this node";
        }

        if (held.Disabled)
        {
            return $"clerk {clerk.Id} is disabled";
        }

        if (held with { Name = clerk.Name } != clerk)
        {
            return $"clerk {clerk.Id} was changed";
        }

        return string.Equals(principal!.FindFirst(StampClaim)?.Value, stamp, StringComparison.Ordinal) ? null : $"the secret of clerk {clerk.Id} was reset";
    }

    /// <summary>The signed-in clerk, or null when nobody is signed in by the cookie.</summary>
    public static Clerk? Current(ClaimsPrincipal? user) => ClerkPrincipal.From(user, Scheme);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web sign-in refused without checking: too many failures for the id or from {Address}")]
    private static partial void LogThrottled(ILogger logger, string? address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web sign-in refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, SignInFailure? reason);
}
