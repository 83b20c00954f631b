using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Api;

/// <summary>
/// Registers and maps the node's gRPC surface, module by module. The host calls <see cref="AddServiceHallApi"/> and
/// <see cref="MapServiceHallApi"/> after it has registered the domain the services call (and <c>AddGrpc()</c>).
/// </summary>
public static class ServiceHallApi
{
    /// <summary>Every gRPC service of a node (the services come from the container; each registered here is mapped below).</summary>
    public static IServiceCollection AddServiceHallApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddCatalogueApi();
        services.AddCasesApi();
        services.TryAddScoped<ClerksService>();
        services.TryAddScoped<NodeAdminService>();
        services.TryAddScoped<EnrolmentService>();
        return services;
    }

    /// <summary>
    /// <see cref="CatalogueService"/> as a singleton over the registered <see cref="CatalogueRepository"/>; an
    /// <see cref="IAgencyEvaluationSource"/> is used when one is registered.
    /// </summary>
    public static IServiceCollection AddCatalogueApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new CatalogueService(sp.GetRequiredService<CatalogueRepository>(), sp.GetService<IAgencyEvaluationSource>()));
        return services;
    }

    /// <summary><see cref="CasesService"/> and <see cref="StatisticsService"/>, over the registered case desk and repository.</summary>
    public static IServiceCollection AddCasesApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddScoped<CasesService>();
        services.TryAddScoped<StatisticsService>();
        return services;
    }

    /// <summary>Maps every service <see cref="AddServiceHallApi"/> registered.</summary>
    public static IEndpointRouteBuilder MapServiceHallApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<NodeAdminService>();
        endpoints.MapGrpcService<EnrolmentService>();
        endpoints.MapGrpcService<CatalogueService>();
        endpoints.MapGrpcService<CasesService>();
        endpoints.MapGrpcService<StatisticsService>();
        endpoints.MapGrpcService<ClerksService>();
        return endpoints;
    }
}
