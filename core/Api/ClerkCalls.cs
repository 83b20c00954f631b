using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Core.Api;

/// <summary>
/// The gRPC face of clerk authentication and authorization: the clerk of a call (UNAUTHENTICATED without one) and
/// <see cref="ClerkPermissions"/> refusals as PERMISSION_DENIED. Services call these first, before reading their input.
/// </summary>
public static class ClerkCalls
{
    /// <summary>The authenticated clerk of the call; UNAUTHENTICATED (with the reason) if there is none.</summary>
    /// <remarks>
    /// Authenticates with the clerk scheme explicitly rather than through the default scheme: a node that also serves the
    /// web front desk makes the cookie scheme the default, and a gRPC call must still be signed in by its credential.
    /// </remarks>
    public static Clerk Require(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (ClerkPrincipal.From(http.User) is { } signedIn)
        {
            return signedIn;
        }

        if (http.RequestServices is null)
        {
            // No authentication services at all (a bare context): nobody can be signed in.
            throw new RpcException(new Status(StatusCode.Unauthenticated, "A clerk credential is required: send the metadata header 'authorization: Basic base64(clerk-id:secret)'."));
        }

        // The handler completes synchronously (a store read and PBKDF2); there is no synchronization context to block.
        var result = http.AuthenticateAsync(ClerkAuthenticationHandler.SchemeName).GetAwaiter().GetResult();
        return (result.Succeeded ? ClerkPrincipal.From(result.Principal) : null) ?? throw new RpcException(new Status(
            StatusCode.Unauthenticated,
            result.Failure is { } failure
                ? $"Clerk credential refused: {failure.Message}."
                : "A clerk credential is required: send the metadata header 'authorization: Basic base64(clerk-id:secret)'."));
    }

    /// <summary>The authenticated clerk, if <paramref name="denial"/> (from <see cref="ClerkPermissions"/>) allows it; PERMISSION_DENIED otherwise.</summary>
    public static Clerk Require(ServerCallContext context, Func<Clerk, string?> denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        var clerk = Require(context);
        Allow(denial(clerk));
        return clerk;
    }

    /// <summary>Throws PERMISSION_DENIED with <paramref name="denial"/> unless it is null.</summary>
    public static void Allow(string? denial)
    {
        if (denial is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, denial));
        }
    }
}
