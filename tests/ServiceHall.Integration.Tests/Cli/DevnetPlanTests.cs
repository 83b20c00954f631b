using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class DevnetPlanTests
{
    [Fact]
    public void Create_Defaults_SevenNodesInStartOrderOnDocumentedPorts()
    {
        var plan = DevnetPlan.Create(DevnetPlan.DefaultTownships, DevnetPlan.DefaultVillagesPerTownship, DevnetPlan.DefaultBasePort);

        Assert.Equal(
            [("city", "city", 5100), ("t01", "township", 5101), ("t02", "township", 5102),
             ("t01-v01", "village", 5103), ("t01-v02", "village", 5104), ("t02-v01", "village", 5105), ("t02-v02", "village", 5106)],
            plan.Select(n => (n.Id, n.Level, n.Port)).ToList());
    }

    [Fact]
    public void Create_Defaults_EachNodeUpstreamIsItsParent()
    {
        var plan = DevnetPlan.Create(2, 2, 6200);
        var byId = plan.ToDictionary(n => n.Id);

        Assert.Null(byId["city"].UpstreamUrl);
        Assert.Null(byId["city"].ParentId);
        Assert.Equal("http://127.0.0.1:6200", byId["t02"].UpstreamUrl);
        Assert.Equal("city", byId["t02"].ParentId);
        Assert.Equal("t02", byId["t02-v01"].ParentId);
        Assert.Equal(byId["t02"].Url, byId["t02-v01"].UpstreamUrl);
        Assert.Equal("http://127.0.0.1:6205", byId["t02-v01"].Url);
    }

    [Fact]
    public void Create_ThreeByFour_PortsConsecutiveAndDistinct()
    {
        var plan = DevnetPlan.Create(3, 4, 7000);

        Assert.Equal(1 + 3 + 12, plan.Count);
        Assert.Equal(Enumerable.Range(7000, 16), plan.Select(n => n.Port));
        Assert.Equal("t03-v04", plan[^1].Id);
        Assert.Equal(7003, plan[^1].ParentPort);
    }

    [Fact]
    public void Create_NoTownships_CityOnly()
    {
        var plan = DevnetPlan.Create(0, 5, 7000);

        Assert.Equal("city", Assert.Single(plan).Id);
    }

    [Theory]
    [InlineData(-1, 2, 5100, "--townships")]
    [InlineData(100, 2, 5100, "--townships")]
    [InlineData(2, -3, 5100, "--villages-per-township")]
    [InlineData(2, 2, 65531, "--base-port 65531")]
    [InlineData(2, 2, 80, "--base-port 80")]
    public void Create_OutOfRange_ThrowsNamingTheOption(int townships, int villages, int basePort, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => DevnetPlan.Create(townships, villages, basePort));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Defaults_WebPortsFollowTheNodePortsInStartOrder()
    {
        var plan = DevnetPlan.Create(DevnetPlan.DefaultTownships, DevnetPlan.DefaultVillagesPerTownship, DevnetPlan.DefaultBasePort);

        Assert.Equal(Enumerable.Range(5107, 7), plan.Select(n => n.WebPort));
        Assert.Equal("http://127.0.0.1:5110", plan.Single(n => n.Id == "t01-v01").WebUrl);
    }

    [Fact]
    public void Validate_LastWebPortExactly65535_Accepted_OneMore_Refused()
    {
        // 7 nodes: 7 gRPC ports and 7 web ports from the base on.
        Assert.Null(DevnetPlan.Validate(2, 2, 65535 - 13));
        Assert.Contains("14 consecutive ports", DevnetPlan.Validate(2, 2, 65535 - 12), StringComparison.Ordinal);
    }
}
