using Grpc.Core;
using Grpc.Net.Client;
using ServiceHall.Cli.Profiles;

namespace ServiceHall.Cli.Grpc;

/// <summary>
/// Opens gRPC channels to nodes and turns transport and status failures into one clear line for the
/// operator. An https URL is a secured node: the channel presents the operator certificate of the TLS profile and
/// trusts only the profile's CA (<see cref="TlsProfile"/>). An http URL is a node in the cleartext development mode (h2c).
/// </summary>
internal static class NodeChannel
{
    /// <summary>How long a TCP connect may take before the node counts as unreachable.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default deadline of one operator call (status, catalogue, register).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Opens a channel to <paramref name="node"/>; the caller disposes it. https needs an operator profile
    /// (<see cref="TlsProfile.Require"/>). With <paramref name="signedIn"/>, every call carries the current clerk's
    /// credential (<see cref="ClerkSession.Current"/>).
    /// </summary>
    public static GrpcChannel Open(Uri node, bool signedIn = false)
    {
        ArgumentNullException.ThrowIfNull(node);
        return GrpcChannel.ForAddress(node, new GrpcChannelOptions
        {
            HttpHandler = Handler(node, signedIn),
            // A refused connection is an answer for the operator, not something to wait out; a channel that polls a
            // starting node (devnet's health wait) tries again within a second, not after a back-off of minutes.
            MaxRetryAttempts = 0,
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
        });
    }

    private static HttpMessageHandler Handler(Uri node, bool signedIn)
    {
        var sockets = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            EnableMultipleHttp2Connections = true,
        };
        if (node.Scheme == Uri.UriSchemeHttps)
        {
            sockets.SslOptions = TlsProfile.Require().ClientOptions();
        }

        return signedIn ? new ClerkCredentialHandler { InnerHandler = sockets } : sockets;
    }

    /// <summary>A deadline <paramref name="timeout"/> from now, from the given clock.</summary>
    public static DateTime Deadline(TimeProvider time, TimeSpan timeout) => time.GetUtcNow().UtcDateTime + timeout;

    /// <summary>True if the failure means that nothing answered at the URL (refused, unresolvable, timed out connecting).</summary>
    public static bool IsUnreachable(RpcException ex) =>
        ex.StatusCode == StatusCode.Unavailable
        || (ex.StatusCode == StatusCode.Internal && ex.Status.DebugException is HttpRequestException)
        || (ex.StatusCode == StatusCode.DeadlineExceeded && ex.Status.DebugException is not null);

    /// <summary>The one line an operator reads when a call to <paramref name="node"/> fails.</summary>
    public static string Describe(Uri node, RpcException ex)
    {
        if (IsUnreachable(ex))
        {
            var cause = ex.Status.DebugException?.InnerException?.Message
                ?? ex.Status.DebugException?.Message
                ?? ex.Status.Detail;
            return $"error: cannot reach node at {node}: {cause}";
        }

        return ex.StatusCode switch
        {
            StatusCode.Unimplemented when string.IsNullOrEmpty(ex.Status.Detail) => $"error: node at {node} answered Unimplemented: this node program does not offer that call yet",
            StatusCode.Unauthenticated => $"error: node at {node} answered {ex.StatusCode}: {ex.Status.Detail}{ClerkSession.Hint()}",
            _ => $"error: node at {node} answered {ex.StatusCode}: {ex.Status.Detail}",
        };
    }

    /// <summary>Runs one client command against <paramref name="node"/> signed in as a clerk that fits <paramref name="need"/>.</summary>
    public static Task<int> RunAsync(Uri node, ClerkNeed need, Func<GrpcChannel, Task<int>> body) => RunAsync(node, body, need);

    /// <summary>
    /// Runs one client command against <paramref name="node"/>: opens the channel, runs
    /// <paramref name="body"/>, and maps failures to a line on stderr and exit code
    /// <see cref="ExitCodes.Unreachable"/> or <see cref="ExitCodes.Failed"/>. Calls are signed in as the profile's clerk
    /// that fits <paramref name="need"/> at that node, or the <c>--as</c> clerk.
    /// </summary>
    public static async Task<int> RunAsync(Uri node, Func<GrpcChannel, Task<int>> body, ClerkNeed need = ClerkNeed.Cases)
    {
        try
        {
            // Opened inside the try: an https node without an operator profile is a CommandFailedException too.
            using var channel = Open(node, signedIn: true);
            ClerkSession.Use(node, need);
            return await body(channel).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            await Console.Error.WriteLineAsync(Describe(node, ex)).ConfigureAwait(false);
            return IsUnreachable(ex) ? ExitCodes.Unreachable : ExitCodes.Failed;
        }
        catch (CommandFailedException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }
}

/// <summary>Adds the current clerk's <c>authorization</c> header to every request of a channel.</summary>
internal sealed class ClerkCredentialHandler : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ClerkSession.Current is { } clerk)
        {
            request.Headers.TryAddWithoutValidation("authorization", clerk.Authorization);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
