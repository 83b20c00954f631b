using System.Diagnostics;
using ServiceHall.Cli.Devnet;

namespace ServiceHall.Integration.Tests.Cli;

[Trait("Category", "Process")]
public sealed class NodeLauncherTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();
    private Process? _process;

    public void Dispose()
    {
        if (_process is not null)
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            _process.Dispose();
        }

        _dir.Dispose();
    }

    private static string[] Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static int SessionId(int pid) => int.Parse(Stat(pid)[3], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> WaitForLogAsync(string log, string text)
    {
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(log) && File.ReadAllText(log).Contains(text, StringComparison.Ordinal))
            {
                return File.ReadAllText(log);
            }

            await Task.Delay(50);
        }

        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    /// <summary>
    /// The command line of a process once the shell has exec'd into its program: "started" is logged before the
    /// exec, so on a loaded machine /proc can still show the shell for a moment.
    /// </summary>
    private static async Task<IReadOnlyList<string>?> CommandLineAfterExecAsync(int pid, string program)
    {
        IReadOnlyList<string>? line = null;
        for (var i = 0; i < 100; i++)
        {
            line = NodeProcesses.CommandLine(pid);
            if (line is { Count: > 0 } && line[0] == program)
            {
                break;
            }

            await Task.Delay(50);
        }

        return line;
    }

    [Fact]
    public async Task CreateStartInfo_Detached_SamePidOwnSessionNullStdinLogAppended()
    {
        var log = Path.Combine(_dir.Path, "console.log");
        File.WriteAllText(log, "earlier run\n");

        _process = Process.Start(NodeLauncher.CreateStartInfo(log, _dir.Path, detach: true, ["sh", "-c", "echo started; exec sleep 30"]))!;
        var text = await WaitForLogAsync(log, "started");

        // The pid the CLI holds is the program's own (exec all the way down), so devnet.json and down are right.
        Assert.Equal(["sleep", "30"], await CommandLineAfterExecAsync(_process.Id, "sleep"));
        Assert.Equal(_process.Id, SessionId(_process.Id));
        Assert.Equal("/dev/null", new FileInfo($"/proc/{_process.Id}/fd/0").LinkTarget);
        Assert.Equal(log, new FileInfo($"/proc/{_process.Id}/fd/1").LinkTarget);
        Assert.Equal(log, new FileInfo($"/proc/{_process.Id}/fd/2").LinkTarget);
        Assert.Equal("earlier run\nstarted\n", text);
    }

    [Fact]
    public async Task CreateStartInfo_Foreground_StaysInOurSession()
    {
        var log = Path.Combine(_dir.Path, "console.log");

        _process = Process.Start(NodeLauncher.CreateStartInfo(log, _dir.Path, detach: false, ["sh", "-c", "echo started; exec sleep 30"]))!;
        await WaitForLogAsync(log, "started");

        Assert.Equal(["sleep", "30"], await CommandLineAfterExecAsync(_process.Id, "sleep"));
        Assert.Equal(SessionId(Environment.ProcessId), SessionId(_process.Id));
    }

    [Fact]
    public void NodeArguments_Village_FollowsTheHostsCommandLineContract()
    {
        var spec = DevnetPlan.Create(1, 1, 6200).Single(n => n.Id == "t01-v01");

        var args = new NodeLaunch(spec, "/bin/servicehall-village-node.dll", "/d/t01-v01").NodeArguments;

        Assert.Equal(["/bin/servicehall-village-node.dll", "--id", "t01-v01", "--listen", "http://127.0.0.1:6202", "--web-listen", "http://127.0.0.1:6205",
            "--upstream", "http://127.0.0.1:6201", "--data", "/d/t01-v01", "--insecure-cleartext"], args);
    }

    [Fact]
    public void NodeArguments_SecuredVillage_HttpsAndNoCleartextFlag()
    {
        var spec = DevnetPlan.Create(1, 1, 6200).Single(n => n.Id == "t01-v01") with { Secured = true };

        var args = new NodeLaunch(spec, "/bin/servicehall-village-node.dll", "/d/t01-v01").NodeArguments;

        Assert.Equal(["/bin/servicehall-village-node.dll", "--id", "t01-v01", "--listen", "https://127.0.0.1:6202", "--web-listen", "http://127.0.0.1:6205",
            "--upstream", "https://127.0.0.1:6201", "--data", "/d/t01-v01"], args);
    }

    [Fact]
    public void NodeArguments_City_NoUpstream()
    {
        var spec = DevnetPlan.Create(1, 1, 6200)[0];

        var args = new NodeLaunch(spec, "/bin/servicehall-city-node.dll", "/d/city").NodeArguments;

        Assert.DoesNotContain("--upstream", args);
    }
}
