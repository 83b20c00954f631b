using System.Diagnostics;
using System.Globalization;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// Builds the native (Native AOT) village program from the source tree: <c>dotnet publish village-node -c Release</c>, as
/// an operator does for a station PC. The publish is incremental: when nothing changed since the last one, the native
/// compiler is not run again and it takes a few seconds. It needs a C toolchain (clang and lld; see README).
/// </summary>
internal static class NativeNodeBuild
{
    /// <summary>The only level published natively: a station PC is where memory is short.</summary>
    public const string Level = "village";

    /// <summary>The configuration the native program is published with.</summary>
    public const string Configuration = "Release";

    /// <summary>The command an operator runs, for messages.</summary>
    public const string Command = "dotnet publish village-node -c Release";

    /// <summary>Publishes the native village program in the source tree above <paramref name="baseDirectory"/>; returns its path.</summary>
    /// <param name="baseDirectory">A directory inside the source tree (the calling program's own directory).</param>
    /// <param name="log">Receives one line before and after, and the build's last lines if it fails.</param>
    /// <param name="cancellationToken">Kills the build when cancelled.</param>
    /// <exception cref="NodeProgramNotFoundException">No source tree, or the publish failed (the message holds the build's errors).</exception>
    public static async Task<string> PublishAsync(string baseDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        var root = NodeProgramLocator.FindSolutionRoot(baseDirectory)
            ?? throw new NodeProgramNotFoundException($"Cannot build the native village program: no ServiceHall.sln above {baseDirectory}.");
        var program = NodeProgramLocator.NativePublishPath(root, Level, Configuration);
        log($"building the native village program ({Command}; a few seconds when it is up to date)…");
        var psi = new ProcessStartInfo(NodeLauncher.DotnetHost())
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "publish", Path.Combine(root, $"{Level}-node"), "-c", Configuration, "-nologo", "-v:q", "-clp:ErrorsOnly;NoSummary" })
        {
            psi.ArgumentList.Add(a);
        }

        // Started from inside a build or test run, the child would inherit that MSBuild's settings and build the wrong way.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(name);
        }

        var started = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new NodeProgramNotFoundException("could not start dotnet to publish the native village program");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        if (process.ExitCode != 0 || !File.Exists(program))
        {
            var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(15);
            throw new NodeProgramNotFoundException(
                $"`{Command}` failed (exit {process.ExitCode}) in {root}; a native build needs clang and lld (apt-get install clang lld). Its last lines:"
                + Environment.NewLine + "  | " + string.Join(Environment.NewLine + "  | ", last));
        }

        log(string.Create(CultureInfo.InvariantCulture, $"native village program: {program} (built in {started.Elapsed.TotalSeconds:0} s)"));
        return program;
    }
}
