using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;

namespace ServiceHall.Cli.Devnet;

/// <summary>Asks a node's grpc.health.v1 service whether it serves (the overall service, name "").</summary>
internal static class HealthProbe
{
    /// <summary>
    /// Deadline of one health check. It covers the TLS handshake of a new connection too, which on a busy two-core
    /// machine took longer than 3 s; a check cut short restarts the handshake, so a short deadline never succeeds there.
    /// </summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>"SERVING", "NOT_SERVING", … or "unreachable: …" / "error: …" when the check itself failed.</summary>
    public static async Task<string> CheckAsync(GrpcChannel channel, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(
                new HealthCheckRequest { Service = string.Empty },
                deadline: NodeChannel.Deadline(time, CheckTimeout),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return Describe(reply.Status);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return NodeChannel.IsUnreachable(ex) ? "unreachable" : $"error: {ex.StatusCode} {ex.Status.Detail}";
        }
    }

    /// <summary>The health state as grpc.health.v1 names it.</summary>
    public static string Describe(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => Serving,
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };

    /// <summary>The state of a healthy node.</summary>
    public const string Serving = "SERVING";
}
