using Microsoft.Extensions.Time.Testing;
using ServiceHall.Web.Identity;

namespace ServiceHall.Web.Tests;

/// <summary>The web sign-in throttle on a fake clock: which keys close, for how long, and what a success forgets.</summary>
public sealed class SignInThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TenFailures_CloseTheIdFromAnyAddress_AndTheAddressForAnyId_UntilTheWindowHasPassed()
    {
        var throttle = new SignInThrottle(_time);
        for (var k = 1; k < SignInThrottle.MaxFailures; k++)
        {
            throttle.Failed("a@t01", "10.0.0.1");
        }

        Assert.False(throttle.IsClosed("a@t01", "10.0.0.1"));
        throttle.Failed("a@t01", "10.0.0.1");
        Assert.True(throttle.IsClosed("a@t01", "10.0.0.2"));
        Assert.True(throttle.IsClosed("b@t01", "10.0.0.1"));
        Assert.False(throttle.IsClosed("b@t01", "10.0.0.2"));
        Assert.False(throttle.IsClosed("b@t01", null));

        _time.Advance(SignInThrottle.Window - TimeSpan.FromSeconds(1));
        Assert.True(throttle.IsClosed("a@t01", "10.0.0.2"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsClosed("a@t01", "10.0.0.1"));
    }

    [Fact]
    public void ASuccess_ForgetsTheIdsFailures_NotTheAddresses()
    {
        var throttle = new SignInThrottle(_time);
        for (var k = 1; k < SignInThrottle.MaxFailures; k++)
        {
            throttle.Failed("a@t01", "10.0.0.1");
        }

        throttle.Succeeded("a@t01");
        throttle.Failed("a@t01", "10.0.0.3");
        Assert.False(throttle.IsClosed("a@t01", "10.0.0.3"));
        throttle.Failed("c@t01", "10.0.0.1");
        Assert.True(throttle.IsClosed("c@t01", "10.0.0.1"));
        Assert.False(throttle.IsClosed("c@t01", "10.0.0.4"));
    }
}
