using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServiceHall.Core.Cases;

/// <summary>Registration of the case services.</summary>
public static class CasesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CaseRepository"/> and <see cref="CaseDesk"/> (singletons). The host must register
    /// <see cref="ServiceHall.Sync.Engine.SyncStore"/> (with <see cref="CaseTables.All"/> in its schema), <see cref="ICaseCatalogue"/>,
    /// <see cref="Nodes.NodeIdentity"/> and <see cref="TimeProvider"/>; their gRPC faces are the host's (core/Api).
    /// </summary>
    public static IServiceCollection AddServiceHallCases(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CaseRepository>();
        services.TryAddSingleton<CaseDesk>();
        return services;
    }
}
