using Microsoft.Extensions.DependencyInjection;
using ServiceHall.Core.Api;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Tests.Cases;

public sealed class AgencyEvaluationWiringTests
{
    [Fact]
    public async Task AddServiceHallDomain_CatalogueService_RatesAgenciesFromCaseEvaluations()
    {
        using var city = CaseStoreFixture.City();
        CatalogueSeeder.SeedIfEmpty(city.Sync, city.Node);
        var services = new ServiceCollection();
        services.AddSingleton(city.Sync);
        services.AddSingleton(city.Node);
        services.AddSingleton<TimeProvider>(city.Time);
        services.AddServiceHallDomain();
        using var sp = services.BuildServiceProvider();
        Assert.IsType<CaseAgencyEvaluations>(sp.GetRequiredService<IAgencyEvaluationSource>());

        // An evaluated row as sync delivers it: the rating follows from case_events alone.
        using (var conn = city.Provider.OpenSqlite())
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO case_events (id, case_number, kind, node_id, actor_user, actor_department, at, order_key, payload, scope) " +
                "VALUES ('x.1', 't01-v01-20261127-0001', 'Evaluated', 't01-v01', 'u1', 'civil', '2026-11-27T01:00:00.0000000+00:00', 1, '{\"rating\":5,\"agency\":\"AG-003\",\"agencyScore\":3}', 'city/t01/t01-v01')";
            cmd.ExecuteNonQuery();
        }

        var reply = await sp.GetRequiredService<CatalogueService>().ListAgencies(new P.ListAgenciesRequest(), TestServerCallContext.Create(TestContext.Current.CancellationToken));

        var rated = Assert.Single(reply.Agencies, a => a.Code == "AG-003");
        Assert.Equal(("C", 1, 3.0), (rated.Rating, rated.Evaluations, rated.AverageScore));
    }
}
