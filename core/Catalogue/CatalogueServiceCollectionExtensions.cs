using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServiceHall.Core.Catalogue;

/// <summary>Registers the catalogue with dependency injection.</summary>
public static class CatalogueServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CatalogueRepository"/> and <see cref="CatalogueService"/> as singletons.
    /// They need a <see cref="ServiceHall.Sync.SyncStore"/> and a <see cref="ServiceHall.Core.Nodes.NodeIdentity"/>
    /// registered by the node host; an <see cref="IAgencyEvaluationSource"/> is used when one is registered.
    /// The host maps the service itself with <c>MapGrpcService&lt;CatalogueService&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddServiceHallCatalogue(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<CatalogueRepository>();
        services.TryAddSingleton(sp => new CatalogueService(sp.GetRequiredService<CatalogueRepository>(), sp.GetService<IAgencyEvaluationSource>()));
        return services;
    }
}
