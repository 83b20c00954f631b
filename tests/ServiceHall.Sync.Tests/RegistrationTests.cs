using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync.Tests;

/// <summary>The DI extension a host calls.</summary>
public sealed class RegistrationTests
{
    [Fact(Timeout = 30_000)]
    public async Task AddServiceHallSync_InvalidOptions_HostRefusesToStart()
    {
        var time = new FakeTimeProvider();
        await using var node = new TestNode("t01", time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(node.Store);
        builder.Services.AddSingleton<ISyncPeerDirectory>(node.Directory);
        builder.Services.AddSingleton<ISyncPeerAuthenticator, HeaderClaimAuthenticator>();
        builder.Services.AddServiceHallSync(o => o.BatchRows = 0);
        await using var app = builder.Build();
        app.MapServiceHallSync();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("BatchRows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddServiceHallSync_AtRoot_ResolvesRunnerWithoutParentAndStatusReader()
    {
        var time = new FakeTimeProvider();
        await using var node = new TestNode("city", time);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(node.Store);
        services.AddSingleton<ISyncPeerDirectory>(node.Directory);
        services.AddSingleton<TimeProvider>(time);
        services.AddServiceHallSync();
        await using var sp = services.BuildServiceProvider();

        Assert.False(sp.GetRequiredService<SyncRunner>().HasParent);
        Assert.Empty(sp.GetRequiredService<SyncStatusReader>().Read());
        Assert.Equal(0, sp.GetRequiredService<SyncStatusReader>().PendingUpstream());
    }
}
