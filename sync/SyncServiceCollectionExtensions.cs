using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Hosting;
using ServiceHall.Sync.Transport;

namespace ServiceHall.Sync;

/// <summary>Registers the sync engine in a host.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gRPC sync service, the <see cref="SyncRunner"/> (as a hosted service and as itself, for
    /// on-demand rounds) and the <see cref="SyncStatusReader"/>, with <see cref="SyncOptions"/> validated at start-up.
    /// The host registers <see cref="SyncStore"/>, <see cref="ISyncPeerDirectory"/>, <see cref="ISyncPeerAuthenticator"/>
    /// and (optionally) a <see cref="TimeProvider"/> and an <see cref="ISyncParentTransport"/>, and maps the service with
    /// <see cref="MapServiceHallSync"/>.
    /// </summary>
    public static IServiceCollection AddServiceHallSync(this IServiceCollection services, Action<SyncOptions>? configure = null)
    {
        services.AddGrpc().AddSyncServiceLimits();
        services.TryAddSingleton<SyncPeerGate>();
        services.TryAddScoped<SyncService>();
        var options = services.AddOptions<SyncOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SyncRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<SyncRunner>());
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            return new SyncStatusReader(sp.GetRequiredService<SyncStore>(), hasParent: !string.IsNullOrEmpty(o.ParentUrl), staleAfter: 3 * o.Interval);
        });
        return services;
    }

    /// <summary>As <see cref="AddServiceHallSync(IServiceCollection, Action{SyncOptions})"/>, binding options from a configuration section (e.g. <c>Sync</c>).</summary>
    public static IServiceCollection AddServiceHallSync(this IServiceCollection services, IConfiguration section) =>
        services.AddServiceHallSync(o => section.Bind(o));

    /// <summary>
    /// Caps the size of one received sync message at <see cref="SyncProtocol.MaxMessageBytes"/>, whatever the host allows
    /// other services (a larger message fails with <c>RESOURCE_EXHAUSTED</c> before it is parsed), and refuses a request
    /// that is not valid protobuf with <c>INVALID_ARGUMENT</c> on every service of the host (<see cref="MalformedRequestGuard"/>).
    /// </summary>
    public static IGrpcServerBuilder AddSyncServiceLimits(this IGrpcServerBuilder grpc) =>
        grpc.AddServiceOptions<SyncService>(o => o.MaxReceiveMessageSize = SyncProtocol.MaxMessageBytes).AddMalformedRequestGuard();

    /// <summary>Maps the sync gRPC service (<c>servicehall.v1.Sync</c>).</summary>
    public static GrpcServiceEndpointConventionBuilder MapServiceHallSync(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<SyncService>();

    private sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
    {
        public ValidateOptionsResult Validate(string? name, SyncOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
