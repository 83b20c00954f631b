using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using ServiceHall.Cli.Devnet;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using ServiceHall.Testing.Cli;
using P = ServiceHall.Protos.V1;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// A node run as its own OS process (the built node program, <c>dotnet servicehall-&lt;level&gt;-node.dll</c>, or the native
/// village program), so that its memory and CPU can be read from <c>/proc</c> alone. The workload reaches it through its Cases gRPC service; waiting for
/// an event polls <c>Get</c> (the bench cannot hook a store in another process).
/// </summary>
internal sealed class ProcessNode : ScaleNode, IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly P.Cases.CasesClient _cases;

    private readonly Credentials _clerks;

    private ProcessNode(RegisteredNode registration, string dataDir, Process process, string url, string? webUrl, Credentials clerks)
        : base(registration, dataDir)
    {
        _process = process;
        _clerks = clerks;
        Url = url;
        WebUrl = webUrl;
        _channel = GrpcChannel.ForAddress(url);
        _cases = new P.Cases.CasesClient(_channel);
    }

    /// <inheritdoc />
    public override string Url { get; }

    /// <inheritdoc />
    public override bool IsProcess => true;

    /// <summary>Address of its web front desk (<c>--web-listen</c>), or null when it runs without one.</summary>
    public string? WebUrl { get; }

    /// <summary>The clerks the bench signs in as at this node.</summary>
    internal Credentials Clerks => _clerks;

    /// <summary>The OS process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True if this is the native (Native AOT) village program, not a dll on the JIT.</summary>
    public bool Native { get; private init; }

    /// <summary>
    /// Starts the node program and waits until it serves and signs its bench clerk in (its first rounds with the parent are
    /// done). With <paramref name="frontDesk"/> it also serves the web front desk on a second loopback port, as a station
    /// whose clerks work in the browser does. <paramref name="program"/> is its dll (run by <c>dotnet</c>) or the native
    /// village executable.
    /// </summary>
    public static async Task<ProcessNode> StartAsync(RegisteredNode registration, string program, string upstreamUrl, string dataRoot, IEnumerable<string> extraArgs, Credentials clerks, bool frontDesk, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(dataRoot, registration.Id);
        var port = TestPorts.FreeRange(2);
        var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        var webUrl = frontDesk ? string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port + 1}") : null;
        if (webUrl is not null)
        {
            extraArgs = [.. extraArgs, "--web-listen", webUrl];
        }

        var level = NodeLevels.Name(registration.Level);
        var native = NodeProgramLocator.IsNative(program);
        var start = new ProcessStartInfo(native ? program : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] node = ["--id", registration.Id, "--listen", url, "--upstream", upstreamUrl, "--data", dir, "--Node:LogLevel=Warning", "--insecure-cleartext"];
        foreach (var a in (native ? node : [program, .. node]).Concat(extraArgs))
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the {level} node program");
        // Drain its console so that it never blocks on a full pipe; keep the last lines for when it dies.
        var tail = new Queue<string>();
        void Keep(string? line)
        {
            if (line is { Length: > 0 })
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > 40)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            Keep(e.Data);
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"[{registration.Id}] {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new ProcessNode(registration, dir, process, url, webUrl, clerks) { Native = native };
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    process.WaitForExit(); // returns once both console streams are drained
                    string last;
                    lock (tail)
                    {
                        last = string.Join(Environment.NewLine + "  | ", tail);
                    }

                    throw new InvalidOperationException($"node program {registration.Id} exited with code {process.ExitCode}; its last console lines:{Environment.NewLine}  | {last}");
                }

                try
                {
                    // Ready once its bench clerk signs in: the clerk came down in the node's first rounds with its parent.
                    await started._cases.ListAsync(new P.ListCasesRequest { Limit = 1 }, clerks.For(InProcessNode.Window), cancellationToken: cancellationToken).ConfigureAwait(false);
                    return started;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Unauthenticated)
                {
                    // not listening yet, or its clerks have not come down yet
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override async Task<(string Number, string EventId)> SubmitAsync(string item, string applicant, string idNumber)
    {
        var c = await _cases.SubmitAsync(new P.SubmitCaseRequest { Item = item, ApplicantName = applicant, IdNumber = idNumber }, _clerks.For(InProcessNode.Window)).ConfigureAwait(false);
        return (c.Number, c.History[0].Id);
    }

    /// <inheritdoc />
    public override async Task<string> ActAsync(string number, CaseEventKind kind, CaseActor actor, CaseEventData data)
    {
        // The node records the signed-in clerk: the reviewer of the actor's department (of the opinion's, for an opinion).
        var clerk = _clerks.For(kind == CaseEventKind.OpinionRecorded && data.Department is { } d ? actor with { Department = d } : actor);
        var call = kind switch
        {
            CaseEventKind.Accepted => _cases.AcceptAsync(new P.CaseActionRequest { Number = number }, clerk),
            CaseEventKind.Routed => _cases.RouteAsync(new P.RouteRequest { Number = number, TargetNode = data.TargetNode, TargetLevel = (P.NodeLevel)(int)data.TargetLevel!.Value }, clerk),
            CaseEventKind.OpinionRecorded => _cases.RecordOpinionAsync(new P.RecordOpinionRequest { Number = number, Department = data.Department, Opinion = P.Opinion.Approve }, clerk),
            CaseEventKind.Decided => _cases.DecideAsync(new P.DecideRequest { Number = number, Approved = data.Approved ?? true, Reason = data.Reason ?? "" }, clerk),
            CaseEventKind.Delivered => _cases.DeliverAsync(new P.CaseActionRequest { Number = number }, clerk),
            CaseEventKind.Evaluated => _cases.EvaluateAsync(new P.EvaluateRequest { Number = number, Rating = data.Rating ?? 5 }, clerk),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "the scale workload does not take this action"),
        };
        var c = await call.ConfigureAwait(false);
        return c.History[^1].Id; // history order: the action just taken comes last
    }

    /// <inheritdoc />
    public override async Task WaitForAsync(string number, string eventId, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var c = await _cases.GetAsync(new P.GetCaseRequest { Number = number }, _clerks.For(InProcessNode.Window), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (c.History.Any(e => e.Id == eventId))
                {
                    return;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // not here yet
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Peak resident memory of the process so far (VmHWM from /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long PeakResidentBytes() => ProcFs.PeakResidentBytes(_process.Id);

    /// <summary>Its resident set now: anonymous, file-backed, shared memory (see <see cref="ProcFs.ResidentNow"/>).</summary>
    public (long Anon, long File, long Shmem) ResidentNow() => ProcFs.ResidentNow(_process.Id);

    /// <summary>CPU time the process has used so far (user + system).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <inheritdoc />
    public override async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _channel.Dispose();
        _process.Dispose();
    }

    /// <summary>The reviewer clerks of this node by department (<see cref="InProcessNode.AddBenchClerks"/>).</summary>
    internal sealed class Credentials(IReadOnlyDictionary<string, (string Id, string Secret)> byDepartment)
    {
        /// <summary>Department of the clerk that takes the window's actions (the window actor has no catalogue department).</summary>
        private const string Window = "ADM";

        /// <summary>Id and secret of the clerk that takes the window's actions.</summary>
        public (string Id, string Secret) WindowClerk => byDepartment[Window];

        /// <summary>Call metadata signing in as the reviewer of <paramref name="actor"/>'s department.</summary>
        public Metadata For(CaseActor actor)
        {
            var (id, secret) = byDepartment.TryGetValue(actor.Department, out var c) ? c : byDepartment[Window];
            return new Metadata { { "authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{secret}")) } };
        }
    }
}

/// <summary>Reads Linux <c>/proc</c>.</summary>
internal static class ProcFs
{
    /// <summary>VmHWM (peak resident set) of a process in bytes; 0 where /proc is not available.</summary>
    public static long PeakResidentBytes(int pid) => Status(pid, "VmHWM");

    /// <summary>
    /// The resident set now, split as the kernel counts it: anonymous (the process's own heap, GC heap, JIT'd code),
    /// file-backed (mapped runtime, framework and native libraries, shared with every other .NET process) and shared memory
    /// (the runtime's double-mapped executable memory). Bytes; zeros where /proc is not available.
    /// </summary>
    public static (long Anon, long File, long Shmem) ResidentNow(int pid) => (Status(pid, "RssAnon"), Status(pid, "RssFile"), Status(pid, "RssShmem"));

    private static long Status(int pid, string field)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
