using System.Diagnostics;

namespace ServiceHall.Cli.Devnet;

/// <summary>How to start one node program.</summary>
/// <param name="Spec">The node.</param>
/// <param name="Program">Full path of its <c>servicehall-&lt;level&gt;-node.dll</c>, or of its native program (<c>servicehall-village-node</c>).</param>
/// <param name="DataDirectory">Its data directory (store and logs), <c>DIR/&lt;id&gt;</c>.</param>
internal sealed record NodeLaunch(DevnetNodeSpec Spec, string Program, string DataDirectory)
{
    /// <summary>Where the node's stdout and stderr are appended.</summary>
    public string ConsoleLog => Path.Combine(DataDirectory, "console.log");

    /// <summary>The node program's own arguments (the hosts' fixed command-line contract).</summary>
    public IReadOnlyList<string> NodeArguments
    {
        get
        {
            var args = new List<string> { Program, "--id", Spec.Id, "--listen", Spec.Url, "--web-listen", Spec.WebUrl };
            if (Spec.UpstreamUrl is { } upstream)
            {
                args.Add("--upstream");
                args.Add(upstream);
            }

            args.Add("--data");
            args.Add(DataDirectory);
            if (!Spec.Secured)
            {
                args.Add("--insecure-cleartext");
            }

            return args;
        }
    }
}

/// <summary>
/// Starts node programs as separate OS processes. Every node's stdin is /dev/null and its stdout/stderr
/// are appended to <c>DIR/&lt;id&gt;/console.log</c>, so no node ever writes into a pipe that the CLI
/// closes when it exits. Detached nodes also get their own session and process group (<c>setsid</c>),
/// so that the terminal's Ctrl-C or hang-up of the shell that ran <c>devnet up --detach</c> does not reach them.
/// </summary>
internal static class NodeLauncher
{
    // `exec` keeps the pid: sh becomes setsid (or dotnet) and setsid becomes dotnet, so the pid the CLI
    // holds is the node's. setsid only forks when its caller leads a process group, which a child that
    // .NET just spawned does not. $1 is the log file; the rest is the command.
    private const string Script = "log=\"$1\"; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1";

    /// <summary>Starts the node; returns its process (whose id is the node program's pid).</summary>
    public static Process Start(NodeLaunch launch, bool detach)
    {
        Directory.CreateDirectory(launch.DataDirectory);
        IReadOnlyList<string> command = NodeProgramLocator.IsNative(launch.Program) ? launch.NodeArguments : [DotnetHost(), .. launch.NodeArguments];
        var psi = CreateStartInfo(launch.ConsoleLog, launch.DataDirectory, detach, command);
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start /bin/sh for node {launch.Spec.Id}");
    }

    /// <summary>
    /// How to run <paramref name="command"/> with stdin from /dev/null and output appended to
    /// <paramref name="consoleLog"/>, in a session of its own if <paramref name="detach"/>; the started
    /// process's id is the command's own pid.
    /// </summary>
    internal static ProcessStartInfo CreateStartInfo(string consoleLog, string workingDirectory, bool detach, IReadOnlyList<string> command)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("servicehall-devnet");
        psi.ArgumentList.Add(consoleLog);
        if (detach)
        {
            psi.ArgumentList.Add("setsid");
        }

        foreach (var a in command)
        {
            psi.ArgumentList.Add(a);
        }

        // The node's URL comes from --listen only; inherited ASP.NET Core URL settings would fight it.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
        {
            psi.Environment.Remove(name);
        }

        return psi;
    }

    /// <summary>The <c>dotnet</c> host that runs the node dlls: the one running this CLI if it is <c>dotnet</c>, else DOTNET_HOST_PATH, DOTNET_ROOT, or PATH.</summary>
    public static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }
}
