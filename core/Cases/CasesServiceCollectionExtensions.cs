using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServiceHall.Core.Cases;

/// <summary>Registration of the case services.</summary>
public static class CasesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CaseRepository"/> and <see cref="CaseDesk"/> (singletons) and the gRPC services <see cref="CasesService"/> and
    /// <see cref="StatisticsService"/>. The host must register <see cref="ServiceHall.Sync.SyncStore"/> (with
    /// <see cref="CaseTables.All"/> in its schema), <see cref="ICaseCatalogue"/>, <see cref="Nodes.NodeIdentity"/>
    /// and <see cref="TimeProvider"/>, and call <c>AddGrpc()</c>.
    /// </summary>
    public static IServiceCollection AddServiceHallCases(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CaseRepository>();
        services.TryAddSingleton<CaseDesk>();
        services.TryAddScoped<CasesService>();
        services.TryAddScoped<StatisticsService>();
        return services;
    }

    /// <summary>Maps the <c>Cases</c> and <c>Statistics</c> gRPC services.</summary>
    public static IEndpointRouteBuilder MapServiceHallCases(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<CasesService>();
        endpoints.MapGrpcService<StatisticsService>();
        return endpoints;
    }
}
