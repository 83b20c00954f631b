using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServiceHall.Core.Catalogue;

/// <summary>Registers the catalogue with dependency injection.</summary>
public static class CatalogueServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CatalogueRepository"/> as a singleton. It needs a <see cref="ServiceHall.Sync.Engine.SyncStore"/> and a
    /// <see cref="ServiceHall.Core.Nodes.NodeIdentity"/> registered by the node host; its gRPC face is the host's (core/Api).
    /// </summary>
    public static IServiceCollection AddServiceHallCatalogue(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<CatalogueRepository>();
        return services;
    }
}
