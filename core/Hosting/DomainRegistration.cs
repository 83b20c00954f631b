using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Clerks;
using ServiceHall.Core.Network;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Hosting;

/// <summary>Registers the domain modules every node runs (catalogue, cases, clerks) and the synced schema they declare.</summary>
public static class DomainRegistration
{
    /// <summary>Adds the domain's store component, synced tables and services, and the gRPC services over them (core/Api).</summary>
    public static IServiceCollection AddServiceHallDomain(this IServiceCollection services)
    {
        services.AddSingleton(ServiceHallSchema.Create());
        services.AddSingleton(new StoreComponent(ServiceHallMigrations.Set) { Statements = ServiceHallSchema.Statements });
        // Agencies are rated from the per-job evaluations recorded on cases; registered before the catalogue service reads it.
        services.AddSingleton<IAgencyEvaluationSource, CaseAgencyEvaluations>();
        services.AddServiceHallCatalogue();
        services.AddSingleton<ICaseCatalogue, CatalogueCaseCatalogue>();
        services.AddServiceHallCases();
        services.AddSingleton<ClerkRegistry>();
        services.AddSingleton<NodeLinkRepository>();
        services.AddSingleton<NodeHealthView>();
        services.AddSingleton<NodeLinkReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeLinkReporter>());
        services.AddServiceHallApi();
        return services;
    }

    /// <summary>
    /// Connects the domain to the engine: rows the engine applies refresh the derived case view inside the
    /// same transaction (a calendar row refreshes every case whose figures it can move), and so does a local edit of the
    /// working calendar at the city. Call once, after the store is migrated.
    /// </summary>
    public static void ConnectServiceHallDomain(this IServiceProvider services)
    {
        var sync = services.GetRequiredService<SyncStore>();
        var cases = services.GetRequiredService<CaseRepository>();
        sync.Applied += (connection, transaction, changes) =>
            cases.OnRowsApplied(connection, transaction, changes.Select(c => (c.Table, c.Key, c.Deleted)));
        // Subscribed here rather than injected into the catalogue: the cases already depend on the catalogue (items,
        // calendar), so the catalogue taking the cases would be a cycle.
        services.GetRequiredService<CatalogueRepository>().CalendarChanged += (connection, transaction) =>
            cases.RefreshForCalendar(connection, transaction);
    }

    /// <summary>Maps the node's gRPC services (core/Api).</summary>
    public static WebApplication MapServiceHallDomain(this WebApplication app)
    {
        app.MapServiceHallApi();
        return app;
    }
}
