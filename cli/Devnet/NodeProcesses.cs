using System.Globalization;
using System.Runtime.InteropServices;

namespace ServiceHall.Cli.Devnet;

/// <summary>How one node process ended when devnet stopped it.</summary>
internal enum StopOutcome
{
    /// <summary>It was not running any more.</summary>
    AlreadyGone,

    /// <summary>It exited after SIGTERM, within the grace period.</summary>
    Terminated,

    /// <summary>It did not exit in time and was killed with SIGKILL.</summary>
    Killed,

    /// <summary>It was still there after SIGKILL (should not happen; reported, never hidden).</summary>
    Survived,
}

/// <summary>How devnet reports a <see cref="StopOutcome"/>.</summary>
internal static class StopOutcomes
{
    /// <summary>The outcome as the <c>down</c> table and the stop messages print it.</summary>
    public static string Describe(this StopOutcome outcome) => outcome switch
    {
        StopOutcome.AlreadyGone => "was not running",
        StopOutcome.Terminated => "SIGTERM",
        StopOutcome.Killed => "SIGKILL (did not exit within the grace period)",
        _ => "STILL RUNNING",
    };
}

/// <summary>
/// Finds, checks and stops node processes through /proc and kill(2). A pid alone is not trusted: a node
/// process is recognised by its command line (a <c>servicehall-*-node.dll</c>, or the native <c>servicehall-*-node</c>, started with
/// <c>--data</c> under the devnet directory), so a pid reused by another program is never signalled.
/// </summary>
internal static partial class NodeProcesses
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>True if a process with this pid exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            // /proc/<pid>/stat: "pid (comm) S …"; comm may contain spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The arguments a process was started with; empty if it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The node data directory of a node-program command line (the value of <c>--data</c>), or null if the
    /// arguments are not those of a ServiceHall node program.
    /// </summary>
    public static string? NodeDataDirectory(IReadOnlyList<string> args)
    {
        var isNode = args.Any(a =>
        {
            var name = Path.GetFileName(a);
            return name.StartsWith("servicehall-", StringComparison.Ordinal)
                && (name.EndsWith("-node.dll", StringComparison.Ordinal) || name.EndsWith("-node", StringComparison.Ordinal));
        });
        if (!isNode)
        {
            return null;
        }

        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--data")
            {
                return Path.GetFullPath(args[i + 1]);
            }
        }

        return null;
    }

    /// <summary>True if <paramref name="pid"/> is a live node program whose data directory is inside <paramref name="devnetDirectory"/>.</summary>
    public static bool IsDevnetNode(int pid, string devnetDirectory) =>
        IsAlive(pid) && IsUnder(NodeDataDirectory(CommandLine(pid)), devnetDirectory);

    /// <summary>Every live node program whose data directory is inside <paramref name="devnetDirectory"/>.</summary>
    public static IReadOnlyList<int> FindDevnetNodes(string devnetDirectory)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && IsDevnetNode(pid, devnetDirectory))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>Sends SIGTERM; false if the process is gone.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    /// <summary>Sends SIGKILL; false if the process is gone.</summary>
    public static bool ForceKill(int pid) => Kill(pid, SigKill) == 0;

    /// <summary>
    /// Stops processes: SIGTERM to all at once (nodes shut down gracefully and in parallel), wait up to
    /// <paramref name="grace"/>, then SIGKILL the stragglers and wait for them to vanish.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, StopOutcome>> StopAsync(
        IReadOnlyCollection<int> pids, TimeSpan grace, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var outcome = new Dictionary<int, StopOutcome>();
        foreach (var pid in pids.Distinct())
        {
            outcome[pid] = IsAlive(pid) && Terminate(pid) ? StopOutcome.Terminated : StopOutcome.AlreadyGone;
        }

        var running = outcome.Where(kv => kv.Value == StopOutcome.Terminated).Select(kv => kv.Key).ToList();
        await WaitGoneAsync(running, grace, time, cancellationToken).ConfigureAwait(false);

        foreach (var pid in running.Where(IsAlive))
        {
            ForceKill(pid);
            outcome[pid] = StopOutcome.Killed;
        }

        var killed = outcome.Where(kv => kv.Value == StopOutcome.Killed).Select(kv => kv.Key).ToList();
        await WaitGoneAsync(killed, TimeSpan.FromSeconds(5), time, cancellationToken).ConfigureAwait(false);
        foreach (var pid in killed.Where(IsAlive))
        {
            outcome[pid] = StopOutcome.Survived;
        }

        return outcome;
    }

    /// <summary>Waits until none of <paramref name="pids"/> is alive, or <paramref name="timeout"/> has passed.</summary>
    public static async Task<bool> WaitGoneAsync(IReadOnlyCollection<int> pids, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var start = time.GetTimestamp();
        while (pids.Any(IsAlive))
        {
            if (time.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static bool IsUnder(string? path, string directory)
    {
        if (path is null)
        {
            return false;
        }

        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        return path.StartsWith(dir, StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
