using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

public sealed class NodeProgramLocatorTests : IDisposable
{
    private readonly CliTempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string Bin(string level, string config)
    {
        var dir = Path.Combine(_root.Path, $"{level}-node", "bin", config, "net10.0");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private string CliBase()
    {
        File.WriteAllText(Path.Combine(_root.Path, "ServiceHall.sln"), "");
        var dir = Path.Combine(_root.Path, "cli", "bin", "Debug", "net10.0");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Locate_EnvFolderHoldsDll_ReturnsIt()
    {
        var file = Path.Combine(_root.Path, "servicehall-village-node.dll");
        File.WriteAllText(file, "");

        Assert.Equal(file, NodeProgramLocator.Locate("village", _root.Path, "/nowhere", "Debug"));
    }

    [Fact]
    public void Locate_EnvFolderLacksDll_ThrowsNamingTheVariable()
    {
        var ex = Assert.Throws<NodeProgramNotFoundException>(() => NodeProgramLocator.Locate("city", _root.Path, CliBase(), "Debug"));

        Assert.Contains("SERVICEHALL_NODE_BIN", ex.Message, StringComparison.Ordinal);
        Assert.Contains("servicehall-city-node.dll", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_BothConfigurationsBuilt_PrefersOwn()
    {
        var cli = CliBase();
        File.WriteAllText(Path.Combine(Bin("township", "Debug"), "servicehall-township-node.dll"), "");
        var release = Path.Combine(Bin("township", "Release"), "servicehall-township-node.dll");
        File.WriteAllText(release, "");

        Assert.Equal(release, NodeProgramLocator.Locate("township", null, cli, "Release"));
    }

    [Fact]
    public void Locate_OnlyOtherConfigurationBuilt_FallsBackToIt()
    {
        var cli = CliBase();
        var debug = Path.Combine(Bin("city", "Debug"), "servicehall-city-node.dll");
        File.WriteAllText(debug, "");

        Assert.Equal(debug, NodeProgramLocator.Locate("city", "", cli, "Release"));
    }

    [Fact]
    public void Locate_NotBuilt_MessageSaysDotnetBuild()
    {
        var ex = Assert.Throws<NodeProgramNotFoundException>(() => NodeProgramLocator.Locate("village", null, CliBase(), "Debug"));

        Assert.Contains("dotnet build", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("village-node", "bin", "Debug", "net10.0", "servicehall-village-node.dll"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_NoSolutionAbove_ThrowsNamingTheVariable()
    {
        var ex = Assert.Throws<NodeProgramNotFoundException>(() => NodeProgramLocator.Locate("city", null, _root.Path, "Debug"));

        Assert.Contains("ServiceHall.sln", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SERVICEHALL_NODE_BIN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_ThisBuild_FindsTheRealNodePrograms()
    {
        // The CLI project builds the three hosts; from the test output the locator finds them in the source tree.
        foreach (var level in new[] { "city", "township", "village" })
        {
            var path = NodeProgramLocator.Locate(level, null, AppContext.BaseDirectory, NodeProgramLocator.OwnConfiguration);
            Assert.True(File.Exists(path), path);
            Assert.EndsWith($"servicehall-{level}-node.dll", path, StringComparison.Ordinal);
        }
    }
}
