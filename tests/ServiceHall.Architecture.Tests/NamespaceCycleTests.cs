namespace ServiceHall.Architecture.Tests;

/// <summary>
/// No namespace of a ServiceHall assembly uses one that uses it back, directly or around a circle: each folder has an
/// inner direction a newcomer can read. Run alone with <c>dotnet test tests/ServiceHall.Architecture.Tests</c>; a failure
/// lists every edge of the circle with an example type.
/// </summary>
public sealed class NamespaceCycleTests
{
    /// <summary>Each checked assembly's file name and its root namespace.</summary>
    public static TheoryData<string, string> Assemblies() => new()
    {
        { "ServiceHall.Core", "ServiceHall.Core" },
        { "ServiceHall.Sync", "ServiceHall.Sync" },
        { "ServiceHall.Sync.SqlServer", "ServiceHall.Sync.SqlServer" },
        { "ServiceHall.Web", "ServiceHall.Web" },
        { "servicehall", "ServiceHall.Cli" },
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void NoNamespaceUsesOneThatUsesItBack(string assembly, string root)
    {
        var graph = NamespaceGraph.Read(root, Repository.Assembly(assembly));
        Assert.NotEmpty(graph.Namespaces);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0,
            $"{cycles.Count} namespace cycle(s) in {assembly}:\n" + string.Join("\n\n", cycles.Select(graph.Describe)));
    }

    [Fact]
    public void TheGraphSeesACycleWhereThereIsOne()
    {
        // The checker itself: this assembly's Fixtures.A and Fixtures.B use each other, Fixtures.C only uses A.
        var graph = NamespaceGraph.Read("ServiceHall.Architecture.Tests.Fixtures",
            typeof(NamespaceCycleTests).Assembly.Location);

        var cycle = Assert.Single(graph.Cycles());

        Assert.Equal(["ServiceHall.Architecture.Tests.Fixtures.A", "ServiceHall.Architecture.Tests.Fixtures.B"], cycle);
        Assert.Contains("ServiceHall.Architecture.Tests.Fixtures.A", graph.UsesOf("ServiceHall.Architecture.Tests.Fixtures.C").Keys);
    }
}
