using ServiceHall.Testing.Scale;

namespace ServiceHall.Integration.Tests.Scale;

/// <summary>
/// The scale scenario of <c>bench scale</c>, small: a city, 2 townships and 4 villages as real node hosts on loopback, a few
/// dozen cases of the catalogue mix through their whole life, then a village offline for a few cases and back. Checks what
/// must hold, not how fast: every node ends holding exactly the cases and events of its scope, with the city's derived state.
/// </summary>
[Trait("Category", "Process")]
public sealed class ScaleScenarioTests
{
    [Fact(Timeout = 240_000)]
    public async Task ScaleRun_SmallNetwork_EveryNodeHoldsExactlyItsPartAndTheVillageCatchesUp()
    {
        var result = await ScaleRun.RunAsync(new ScaleOptions
        {
            Townships = 2,
            Villages = 4,
            Cases = 24,
            Rate = 20,
            ProcessNodes = false,
            CatchUpCases = 12,
            Seed = 7,
            Bound = TimeSpan.FromMinutes(3),
            ConvergeBound = TimeSpan.FromSeconds(90),
        }, TestContext.Current.CancellationToken);

        Assert.Empty(result.Failures);
        Assert.Equal(24, result.CasesCompleted);
        Assert.True(result.AfterLoad.Converged, result.AfterLoad.ToString());
        Assert.Equal(24, result.AfterLoad.Cases);
        var catchUp = Assert.IsType<CatchUpResult>(result.CatchUp);
        Assert.True(catchUp.UpEvents >= 12, $"{catchUp.UpEvents} events went up");
        Assert.True(catchUp.DownEvents > 0, "nothing was decided above while the village was offline");
        Assert.True(result.Final.Converged, result.Final.ToString());
        // At the city, once each: the load's 24, the 5 (40% of 12) the village routed up before its link was cut, its 12 offline.
        Assert.Equal(24 + 5 + 12, result.Final.Cases);
        Assert.Contains(result.Latency, s => s.Count > 0);
        // The dashboard as the Statistics service computes it (settled cases summed in SQL) agrees with deriving every case.
        Assert.True(result.CityStatistics.SameFigures, "the city's statistics differ from the derivation of every case");
        Assert.Equal(result.Final.Cases, result.CityStatistics.Cases);
    }
}
