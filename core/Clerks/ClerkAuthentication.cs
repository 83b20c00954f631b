using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// The ASP.NET Core authentication handler of the client API: reads <c>authorization: Basic base64(id:secret)</c> from
/// the request (gRPC metadata), signs the clerk in against this node's <see cref="ClerkRegistry"/> and builds the
/// principal (<see cref="ClerkPrincipal"/>). No header: no result (calls that need a clerk refuse with UNAUTHENTICATED);
/// a bad header or credential: failure with the reason, kept for the refusal message.
/// </summary>
public sealed class ClerkAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClerkRegistry registry)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ServiceHallClerk";

    /// <summary>Key in <c>HttpContext.Items</c> of the failure message of this request.</summary>
    public const string FailureKey = "servicehall.clerk.failure";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var result = Authenticate(header);
        if (result.Failure is { } failure)
        {
            Context.Items[FailureKey] = failure.Message;
        }

        return Task.FromResult(result);
    }

    private AuthenticateResult Authenticate(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the authorization header is not 'Basic base64(clerk-id:secret)'");
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return AuthenticateResult.Fail("the authorization header is not valid base64 of UTF-8 'clerk-id:secret'");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return AuthenticateResult.Fail("the authorization header is not 'Basic base64(clerk-id:secret)'");
        }

        var signIn = registry.SignIn(decoded[..colon], decoded[(colon + 1)..]);
        if (signIn.Failure is not null || signIn.Clerk is null)
        {
            Logger.LogWarning("Clerk sign-in refused: {Reason}", signIn.Failure);
            return AuthenticateResult.Fail(signIn.Message);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(ClerkPrincipal.Create(signIn.Clerk), SchemeName));
    }
}

/// <summary>The claims of an authenticated clerk, and the clerk read back from them.</summary>
public static class ClerkPrincipal
{
    private const string NodeClaim = "servicehall:node";
    private const string ScopeClaim = "servicehall:scope";
    private const string DepartmentClaim = "servicehall:department";
    private const string DisplayClaim = "servicehall:display";

    /// <summary>A principal for <paramref name="clerk"/>, authenticated by <see cref="ClerkAuthenticationHandler.SchemeName"/>.</summary>
    public static ClaimsPrincipal Create(Clerk clerk) => Create(clerk, ClerkAuthenticationHandler.SchemeName);

    /// <summary>
    /// A principal for <paramref name="clerk"/> whose identity was proved by <paramref name="authenticationType"/> (the
    /// web's cookie scheme, so that a cookie never stands for a client-API credential), with optional extra claims.
    /// </summary>
    public static ClaimsPrincipal Create(Clerk clerk, string authenticationType, params Claim[] extra)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        ArgumentException.ThrowIfNullOrEmpty(authenticationType);
        return new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, clerk.Id),
                new Claim(ClaimTypes.Name, clerk.Id),
                new Claim(ClaimTypes.Role, ClerkRegistry.RoleText(clerk.Role)),
                new Claim(NodeClaim, clerk.NodeId),
                new Claim(ScopeClaim, clerk.Scope),
                new Claim(DepartmentClaim, clerk.Department),
                new Claim(DisplayClaim, clerk.Name),
                .. extra,
            ],
            authenticationType));
    }

    /// <summary>The clerk of an authenticated principal, or null if <paramref name="user"/> is not a signed-in clerk.</summary>
    public static Clerk? From(ClaimsPrincipal? user) => From(user, ClerkAuthenticationHandler.SchemeName);

    /// <summary>The clerk of a principal authenticated by <paramref name="authenticationType"/>, or null.</summary>
    public static Clerk? From(ClaimsPrincipal? user, string authenticationType)
    {
        if (user?.Identity is not { IsAuthenticated: true } identity || !string.Equals(identity.AuthenticationType, authenticationType, StringComparison.Ordinal))
        {
            return null;
        }

        string? Get(string type) => user.FindFirst(type)?.Value;
        var role = ClerkRegistry.ParseRole(Get(ClaimTypes.Role));
        return Get(ClaimTypes.NameIdentifier) is { } id && Get(NodeClaim) is { } node && Get(ScopeClaim) is { } scope
            && Get(DepartmentClaim) is { } department && role is { } r
            ? new Clerk(id, node, scope, department, r, Get(DisplayClaim) ?? id, Disabled: false)
            : null;
    }
}
