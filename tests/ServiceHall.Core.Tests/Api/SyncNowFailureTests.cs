using Grpc.Core;
using Polly.CircuitBreaker;
using Polly.Timeout;
using ServiceHall.Core.Api;

namespace ServiceHall.Core.Tests.Api;

/// <summary>
/// <c>sync now</c> answers a failed round with what went wrong at the link, never with gRPC's UNKNOWN ("Exception was thrown
/// by handler"): found by hand when a village's circuit breaker was open after its link had been cut.
/// </summary>
public sealed class SyncNowFailureTests
{
    [Fact]
    public void OpenCircuit_SaysCallsAreHeldBackAndWhenTheNextTryIs()
    {
        var open = new BrokenCircuitException("The circuit is now open and is not allowing calls.", TimeSpan.FromSeconds(6.3));

        var message = NodeAdminService.RoundFailure(open);

        Assert.Equal("the link to the parent failed repeatedly, so calls are held back (circuit open); next try in 7 s", message);
    }

    [Fact]
    public void OpenCircuitWithoutARetryTime_StillALinkFailure() =>
        Assert.Equal("the link to the parent failed repeatedly, so calls are held back (circuit open)",
            NodeAdminService.RoundFailure(new BrokenCircuitException()));

    [Fact]
    public void ParentRefusedOrUnreachable_StatusAndDetail() =>
        Assert.Equal("Unavailable: Error connecting to subchannel.",
            NodeAdminService.RoundFailure(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel."))));

    [Fact]
    public void AttemptTimedOut_ItsMessage() =>
        Assert.Equal("timed out", NodeAdminService.RoundFailure(new TimeoutRejectedException("timed out")));

    [Fact]
    public void AFaultOfTheNodeItself_IsNotALinkFailure() =>
        Assert.Null(NodeAdminService.RoundFailure(new NullReferenceException()));
}
