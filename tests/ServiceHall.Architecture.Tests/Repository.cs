using ServiceHall.Testing;

namespace ServiceHall.Architecture.Tests;

/// <summary>Where the checked files are: the repository's root and the assemblies built beside this test.</summary>
internal static class Repository
{
    /// <summary>The folder holding ServiceHall.sln, found upwards from the test's output.</summary>
    public static string Root => RepositoryRoot.Path;

    /// <summary>The build configuration this test runs under (Debug or Release), read from its own output path.</summary>
    public static string Configuration => RepositoryRoot.Configuration;

    /// <summary>The path of a ServiceHall assembly copied beside this test (e.g. <c>ServiceHall.Core</c>).</summary>
    public static string Assembly(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        Assert.True(File.Exists(path), $"{name}.dll is not beside the test ({AppContext.BaseDirectory}): reference its project.");
        return path;
    }
}
