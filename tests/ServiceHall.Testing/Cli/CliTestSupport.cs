using ServiceHall.Cli.Profiles;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Testing.Cli;

/// <summary>A fresh directory under the system temp folder, removed on dispose (best effort).</summary>
public sealed class CliTempDirectory : IDisposable
{
    public CliTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "servicehall-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process is left for the OS temp cleaner.
        }
    }
}

/// <summary>The result of running the real <c>servicehall</c> program.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the CLI as a separate process (<c>dotnet servicehall.dll …</c>), as an operator would.</summary>
public static class CliProcess
{
    /// <summary>The CLI assembly, copied next to the tests by the project reference.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "servicehall.dll");

    public static async Task<CliResult> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo(NodeLauncher.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"servicehall {string.Join(' ', args)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(timeout, null, args);

    /// <summary>The environment that points the CLI at the operator profile a secured devnet wrote into <paramref name="devnetDirectory"/>.</summary>
    public static Dictionary<string, string?> ProfileOf(string devnetDirectory) => new() { [ClerkProfile.EnvironmentVariable] = devnetDirectory };
}

/// <summary>Loopback ports for tests.</summary>
public static class TestPorts
{
    /// <summary>Lowest port the range is drawn from.</summary>
    private const int Lowest = 20000;

    /// <summary>
    /// A base port such that <paramref name="count"/> consecutive ports are free on 127.0.0.1 right now, drawn from below
    /// the kernel's ephemeral range. Ports in that range are handed out all the time (to every outgoing connection, and to
    /// every server that binds port 0, as the in-process nodes of tests and the scale bench do), so a port found free there
    /// could be taken before the node program started on it bound it: the program then died at start with "address
    /// already in use" (seen in the scale bench and in the devnet tests on a busy machine).
    /// </summary>
    public static int FreeRange(int count)
    {
        var below = Math.Max(Lowest + 1000, EphemeralLow());
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var basePort = Random.Shared.Next(Lowest, below - count);
            if (Enumerable.Range(basePort, count).All(LoopbackPorts.IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports found on 127.0.0.1 between {Lowest} and {below}");
    }

    /// <summary>First port of the kernel's ephemeral range (Linux: <c>/proc/sys/net/ipv4/ip_local_port_range</c>; else the usual 32768).</summary>
    private static int EphemeralLow()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        try
        {
            if (File.Exists(Range)
                && int.TryParse(File.ReadAllText(Range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var low))
            {
                return low;
            }
        }
        catch (IOException)
        {
            // not readable: the usual default below
        }

        return 32768;
    }

    /// <summary>A port that nothing listens on (bound then released).</summary>
    public static int Unused()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
