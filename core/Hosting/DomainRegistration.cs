using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Sync;

namespace ServiceHall.Core.Hosting;

/// <summary>Registers the domain modules every node runs (catalogue, cases) and the synced schema they declare.</summary>
public static class DomainRegistration
{
    /// <summary>Adds the domain's store components, synced tables and gRPC service implementations.</summary>
    public static IServiceCollection AddServiceHallDomain(this IServiceCollection services)
    {
        services.AddSingleton(new SyncSchema(1, []));
        return services;
    }
}
