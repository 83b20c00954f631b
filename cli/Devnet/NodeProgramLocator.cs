using System.Reflection;
using System.Runtime.InteropServices;

namespace ServiceHall.Cli.Devnet;

/// <summary>A node program could not be found; the message says where the CLI looked and what to run.</summary>
internal sealed class NodeProgramNotFoundException(string message) : Exception(message);

/// <summary>
/// Finds the node programs (<c>servicehall-&lt;level&gt;-node.dll</c>) that devnet starts:
/// in <c>$SERVICEHALL_NODE_BIN</c> if set, else in the source tree that holds <c>ServiceHall.sln</c>
/// above the CLI's own directory, under <c>&lt;level&gt;-node/bin/&lt;Configuration&gt;/net10.0/</c>, preferring
/// the configuration the CLI itself was built with (the CLI project builds the three hosts with it).
/// </summary>
internal static class NodeProgramLocator
{
    /// <summary>Environment variable naming a folder that holds the three node dlls.</summary>
    public const string BinEnvironmentVariable = "SERVICEHALL_NODE_BIN";

    /// <summary>Target framework folder of the hosts' build output.</summary>
    public const string TargetFramework = "net10.0";

    /// <summary>File name of the node program of a level, e.g. servicehall-village-node.dll.</summary>
    public static string FileName(string level) => $"servicehall-{level}-node.dll";

    /// <summary>File name of the native (Native AOT) program of a level, e.g. servicehall-village-node.</summary>
    public static string NativeFileName(string level) => $"servicehall-{level}-node";

    /// <summary>True if <paramref name="program"/> is a native executable (started as is), not a dll run by <c>dotnet</c>.</summary>
    public static bool IsNative(string program) => !program.EndsWith(".dll", StringComparison.Ordinal);

    /// <summary>Where <c>dotnet publish &lt;level&gt;-node -c &lt;configuration&gt;</c> puts the native program in the source tree.</summary>
    public static string NativePublishPath(string root, string level, string configuration) =>
        Path.Combine(root, $"{level}-node", "bin", configuration, TargetFramework, RuntimeInformation.RuntimeIdentifier, "publish", NativeFileName(level));

    /// <summary>The build configuration of this CLI assembly (Debug or Release).</summary>
    public static string OwnConfiguration =>
        typeof(NodeProgramLocator).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c
            ? c
            : "Debug";

    /// <summary>Locates the node program of <paramref name="level"/> for this process.</summary>
    public static string Locate(string level) => Locate(
        level,
        Environment.GetEnvironmentVariable(BinEnvironmentVariable),
        AppContext.BaseDirectory,
        OwnConfiguration);

    /// <summary>Locates the node program of <paramref name="level"/> (testable form).</summary>
    /// <exception cref="NodeProgramNotFoundException">No such program where it should be.</exception>
    public static string Locate(string level, string? nodeBinDirectory, string baseDirectory, string configuration)
    {
        var file = FileName(level);
        if (!string.IsNullOrWhiteSpace(nodeBinDirectory))
        {
            var candidate = Path.GetFullPath(Path.Combine(nodeBinDirectory, file));
            return File.Exists(candidate)
                ? candidate
                : throw new NodeProgramNotFoundException(
                    $"{BinEnvironmentVariable} is set to '{nodeBinDirectory}', but {file} is not there. "
                    + $"Point it at a folder that holds the three node programs, or unset it to use the source tree's build output.");
        }

        var root = FindSolutionRoot(baseDirectory)
            ?? throw new NodeProgramNotFoundException(
                $"Cannot find the node program {file}: no ServiceHall.sln above {baseDirectory} and {BinEnvironmentVariable} is not set. "
                + $"Set {BinEnvironmentVariable} to a folder holding the node programs, or run the CLI from the source tree after `dotnet build`.");

        var other = string.Equals(configuration, "Release", StringComparison.OrdinalIgnoreCase) ? "Debug" : "Release";
        var tried = new List<string>();
        foreach (var config in new[] { configuration, other })
        {
            var candidate = Path.Combine(root, $"{level}-node", "bin", config, TargetFramework, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            tried.Add(candidate);
        }

        throw new NodeProgramNotFoundException(
            $"The {level} node program is not built (looked for {string.Join(" and ", tried)}). "
            + $"Run `dotnet build` in {root} (or `dotnet build cli`, which builds the node programs too), then try again.");
    }

    /// <summary>The nearest directory at or above <paramref name="start"/> that holds ServiceHall.sln; null if none.</summary>
    public static string? FindSolutionRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServiceHall.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
