using ServiceHall.Cli.Devnet;

namespace ServiceHall.Testing;

/// <summary>
/// The source tree the tests and the bench run from: the folder holding ServiceHall.sln above the running program's own
/// directory. The one place the rig finds it; the search itself is the CLI's (devnet finds the node programs the same way).
/// </summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() => NodeProgramLocator.FindSolutionRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"ServiceHall.sln not found above {AppContext.BaseDirectory}."));

    /// <summary>The folder holding ServiceHall.sln.</summary>
    public static string Path => Root.Value;

    /// <summary>
    /// The build configuration (Debug or Release) the running tests or bench were built in, read from their output path:
    /// the node programs and other projects' outputs they look for are the same configuration's.
    /// </summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Release{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
}
