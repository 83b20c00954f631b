using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Store;

namespace ServiceHall.Core.Hosting;

/// <summary>Registers the domain modules every node runs (catalogue, cases) and the synced schema they declare.</summary>
public static class DomainRegistration
{
    /// <summary>Adds the domain's store component, synced tables and gRPC service implementations.</summary>
    public static IServiceCollection AddServiceHallDomain(this IServiceCollection services)
    {
        services.AddSingleton(ServiceHallSchema.Create());
        services.AddSingleton(new StoreComponent(ServiceHallMigrations.Component, ServiceHallMigrations.All));
        services.AddServiceHallCatalogue();
        services.AddSingleton<ICaseCatalogue, CatalogueCaseCatalogue>();
        services.AddServiceHallCases();
        return services;
    }

    /// <summary>Maps the domain's gRPC services.</summary>
    public static WebApplication MapServiceHallDomain(this WebApplication app)
    {
        app.MapGrpcService<CatalogueService>();
        app.MapServiceHallCases();
        return app;
    }
}
