using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace ServiceHall.Core.Clerks;

/// <summary>
/// The gRPC face of clerk authentication and authorization: the clerk of a call (UNAUTHENTICATED without one) and
/// <see cref="ClerkPermissions"/> refusals as PERMISSION_DENIED. Services call these first, before reading their input.
/// </summary>
public static class ClerkCalls
{
    /// <summary>The authenticated clerk of the call; UNAUTHENTICATED (with the reason) if there is none.</summary>
    public static Clerk Require(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        return ClerkPrincipal.From(http.User) ?? throw new RpcException(new Status(
            StatusCode.Unauthenticated,
            http.Items.TryGetValue(ClerkAuthenticationHandler.FailureKey, out var why) && why is string reason
                ? $"Clerk credential refused: {reason}."
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
