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
    /// <summary>A base port such that <paramref name="count"/> consecutive ports are free on 127.0.0.1 right now.</summary>
    public static int FreeRange(int count) => LoopbackPorts.FreeRange(count);

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
