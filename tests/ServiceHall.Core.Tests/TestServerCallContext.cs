using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ServiceHall.Core.Clerks;

namespace ServiceHall.Core.Tests;

/// <summary>A minimal <see cref="ServerCallContext"/> for calling gRPC service methods directly (as grpc-dotnet's tester does).</summary>
internal sealed class TestServerCallContext : ServerCallContext
{
    private readonly Metadata _requestHeaders = [];
    private readonly Metadata _responseTrailers = [];
    private readonly CancellationToken _cancellationToken;

    private TestServerCallContext(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    public static TestServerCallContext Create(CancellationToken cancellationToken = default) => new(cancellationToken);

    /// <summary>A call signed in as <paramref name="clerk"/>, the way the authentication middleware leaves it (Grpc.AspNetCore reads the HttpContext from UserState).</summary>
    public static TestServerCallContext As(Clerk clerk, CancellationToken cancellationToken = default)
    {
        var context = new TestServerCallContext(cancellationToken);
        context.UserState["__HttpContext"] = new DefaultHttpContext { User = ClerkPrincipal.Create(clerk) };
        return context;
    }

    /// <summary>A call that reached the service with no credential (the HttpContext has no signed-in user).</summary>
    public static TestServerCallContext Anonymous(CancellationToken cancellationToken = default)
    {
        var context = new TestServerCallContext(cancellationToken);
        context.UserState["__HttpContext"] = new DefaultHttpContext();
        return context;
    }

    protected override string MethodCore => "test";

    protected override string HostCore => "localhost";

    protected override string PeerCore => "ipv4:127.0.0.1:5000";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _requestHeaders;

    protected override CancellationToken CancellationTokenCore => _cancellationToken;

    protected override Metadata ResponseTrailersCore => _responseTrailers;

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
