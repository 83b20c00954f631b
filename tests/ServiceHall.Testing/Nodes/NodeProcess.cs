using System.Diagnostics;
using System.Text;

namespace ServiceHall.Testing.Nodes;

/// <summary>Starts a real node program (the built dll) as an OS process and captures its output.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of the built node program of a level (city, township, village).</summary>
    public static string ProgramPath(string level)
    {
        var path = Path.Combine(RepositoryRoot.Path, $"{level}-node", "bin", RepositoryRoot.Configuration, "net10.0", $"servicehall-{level}-node.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Node program not built: {path}. Run dotnet build.");
    }

    public static NodeProcess Start(string level, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ProgramPath(level));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return new NodeProcess(Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"'{text}' did not appear in the node's output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGTERM (a graceful stop request).</summary>
    public void Terminate() => Posix.Kill(_process.Id, Posix.SigTerm);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>POSIX signals for process-level tests, sent with the system's kill(1).</summary>
internal static class Posix
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    public static void Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", ["-" + signal.ToString(System.Globalization.CultureInfo.InvariantCulture), pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
