using Grpc.Core;
using Grpc.Core.Interceptors;
using ServiceHall.Core.Security;
using ServiceHall.Sync;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Core.Api;

/// <summary>
/// Secured mode: who may call what, from the client certificate the TLS handshake verified against the city's CA.
/// Without a certificate only <c>Enrolment</c> (a node that has none yet) and <c>grpc.health.v1</c> (probes) answer;
/// <c>Sync</c> takes node certificates only, <c>NodeAdmin</c> operator certificates only; the client API takes either
/// (clerk authorisation is a layer of its own). Every refusal is <c>UNAUTHENTICATED</c> or <c>PERMISSION_DENIED</c>.
/// </summary>
public sealed class CallerAuthorization : Interceptor
{
    private static readonly string[] Open = ["/servicehall.v1.Enrolment/", "/grpc.health.v1.Health/"];

    /// <summary>The verified identity of the caller, or an <see cref="RpcException"/> saying why there is none.</summary>
    public static CertificateIdentity Caller(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                "this node requires a client certificate of the city's CA: a node presents its own (servicehall node enrol), an operator the one in its profile"));
        return NodeCertificates.Identify(certificate)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, $"client certificate '{certificate.Subject}' names no ServiceHall node or operator"));
    }

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Check(ServerCallContext context)
    {
        if (Open.Any(prefix => context.Method.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return;
        }

        var caller = Caller(context);
        if (context.Method.StartsWith("/servicehall.v1.Sync/", StringComparison.Ordinal) && caller.Kind != CertificateKind.Node)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"only nodes sync; '{caller.Name}' holds an operator certificate"));
        }

        if (context.Method.StartsWith("/servicehall.v1.NodeAdmin/", StringComparison.Ordinal) && caller.Kind != CertificateKind.Operator)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"node administration takes an operator certificate; node '{caller.Name}' may not use it"));
        }
    }
}

/// <summary>Secured mode: the sync peer is the node named by the verified client certificate, never by a header.</summary>
public sealed class CertificatePeerAuthenticator : ISyncPeerAuthenticator
{
    /// <inheritdoc />
    public string Authenticate(ServerCallContext context)
    {
        var caller = CallerAuthorization.Caller(context);
        return caller.Kind == CertificateKind.Node
            ? caller.Name
            : throw new RpcException(new Status(StatusCode.PermissionDenied, $"only nodes sync; '{caller.Name}' holds an operator certificate"));
    }
}
