using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Devnet;

/// <summary>Options of <c>devnet up</c>.</summary>
/// <param name="Directory">Devnet directory; each node gets <c>Directory/&lt;id&gt;/</c>.</param>
/// <param name="Townships">Number of townships.</param>
/// <param name="VillagesPerTownship">Villages under each township.</param>
/// <param name="BasePort">The city's port; the others follow (see <see cref="DevnetPlan"/>).</param>
/// <param name="Detach">Return once healthy and leave the nodes running.</param>
/// <param name="HealthTimeout">How long each tier may take to become healthy.</param>
/// <param name="Insecure">Cleartext development mode instead of mutual TLS with enrolled nodes.</param>
/// <param name="NativeVillages">Run the villages as the native program a station runs (built first with <see cref="NativeNodeBuild"/>).</param>
internal sealed record DevnetUpOptions(string Directory, int Townships, int VillagesPerTownship, int BasePort, bool Detach, TimeSpan HealthTimeout, bool Insecure = false, bool NativeVillages = false);

/// <summary>A devnet could not be started; the message names the node and where to look.</summary>
internal sealed class DevnetStartException(string message) : Exception(message);

/// <summary>
/// Runs a devnet: one city, N townships, M villages under each, every one a separate OS process of the
/// real node program on 127.0.0.1 with its own store under <c>DIR/&lt;id&gt;/</c>.
/// Start order: city → wait healthy → register the other nodes at the city → townships → wait healthy →
/// SyncNow on each (so they hold the registry) → villages → wait healthy → SyncNow on each.
/// </summary>
internal sealed class DevnetRunner(TimeProvider time, TextWriter output, TextWriter error)
{
    /// <summary>How long <c>down</c> (and the foreground stop) waits after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long each tier may take to become healthy by default.</summary>
    public static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(60);

    private DevnetProxyRecord? _proxy;
    private ClerkCredential? _admin;
    private ClerkProfile? _clerks;

    private sealed class StartedNode(DevnetNodeSpec spec, NodeLaunch launch, Process process)
    {
        public DevnetNodeSpec Spec { get; } = spec;
        public NodeLaunch Launch { get; } = launch;
        public Process Process { get; } = process;
        public int Pid { get; set; } = process.Id;
        public string Store { get; set; } = launch.DataDirectory;

        public DevnetManifestNode ToManifest() => new(Spec.Id, Spec.Level, Spec.Url, Pid, Store, Spec.UpstreamUrl, Spec.WebUrl);
    }

    /// <summary><c>devnet up</c>. Returns the exit code.</summary>
    public async Task<int> UpAsync(DevnetUpOptions options, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(options.Directory);
        IReadOnlyList<DevnetNodeSpec> plan;
        try
        {
            plan = DevnetPlan.Create(options.Townships, options.VillagesPerTownship, options.BasePort);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        plan = [.. plan.Select(n => n with { Secured = !options.Insecure })];
        Directory.CreateDirectory(dir);
        if (await RefuseIfRunningAsync(dir).ConfigureAwait(false))
        {
            return ExitCodes.Failed;
        }

        var busy = plan.SelectMany(n => new[] { (n.Id, n.Port), (n.Id, Port: n.WebPort) }).FirstOrDefault(p => !LoopbackPorts.IsFree(p.Port));
        if (busy.Id is not null)
        {
            await error.WriteLineAsync(
                $"error: port {busy.Port} (planned for node {busy.Id}) is already in use on 127.0.0.1; choose another --base-port "
                + $"(the devnet needs ports {plan[0].Port}–{plan[^1].WebPort}).").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        var programs = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var level in plan.Select(n => n.Level).Distinct())
            {
                programs[level] = options.NativeVillages && level == NativeNodeBuild.Level
                    ? await NativeNodeBuild.PublishAsync(AppContext.BaseDirectory, output.WriteLine, cancellationToken).ConfigureAwait(false)
                    : NodeProgramLocator.Locate(level);
            }
        }
        catch (NodeProgramNotFoundException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        // Every child reaches its parent through a link proxy, so that `devnet cut/heal` can drop real connections.
        var links = plan.Where(n => n.ParentPort is not null).ToDictionary(n => n.Id, n => n.ParentPort!.Value, StringComparer.Ordinal);
        await using var proxyHost = options.Detach || links.Count == 0 ? null : LinkProxyHost.Start(links);
        if (proxyHost is not null)
        {
            _proxy = proxyHost.ToRecord();
        }
        else if (links.Count > 0)
        {
            _proxy = await StartProxyProcessAsync(dir, links, cancellationToken).ConfigureAwait(false);
            if (_proxy is null)
            {
                return ExitCodes.Failed;
            }
        }

        if (_proxy is not null)
        {
            plan = plan.Select(n => _proxy.Links.TryGetValue(n.Id, out var via) ? n with { ViaPort = via } : n).ToList();
        }

        // Ctrl-C and SIGTERM stop the nodes (during start-up as well as in the foreground) instead of
        // killing the CLI and orphaning them.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var started = new List<StartedNode>();
        var allHealthy = false;
        try
        {
            var city = plan.Where(n => n.Level == "city").ToList();
            var townships = plan.Where(n => n.Level == "township").ToList();
            var villages = plan.Where(n => n.Level == "village").ToList();

            await StartTierAsync(city, "city", programs, dir, options, started, stop.Token).ConfigureAwait(false);
            var tokens = await RegisterAsync(city[0], plan.Where(n => n.Level != "city").ToList(), dir, stop.Token).ConfigureAwait(false);
            await CreateClerksAsync(city[0], plan, dir, stop.Token).ConfigureAwait(false);
            if (townships.Count > 0)
            {
                // Each tier is enrolled just before it starts: nothing of a tier exists on disk if the tier above failed.
                await DevnetSecurity.EnrolAsync(new Uri(city[0].Url), tokens, townships, dir, output, stop.Token).ConfigureAwait(false);
                var tier = await StartTierAsync(townships, "townships", programs, dir, options, started, stop.Token).ConfigureAwait(false);
                await SyncTierAsync(tier, stop.Token).ConfigureAwait(false);
            }

            if (villages.Count > 0)
            {
                await DevnetSecurity.EnrolAsync(new Uri(city[0].Url), tokens, villages, dir, output, stop.Token).ConfigureAwait(false);
                var tier = await StartTierAsync(villages, "villages", programs, dir, options, started, stop.Token).ConfigureAwait(false);
                await SyncTierAsync(tier, stop.Token).ConfigureAwait(false);
            }

            allHealthy = true;
        }
        catch (DevnetStartException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await error.WriteLineAsync("interrupted").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        finally
        {
            // Whatever went wrong during start-up (including an exception nobody expected), no node is left behind.
            if (!allHealthy && started.Count > 0)
            {
                await error.WriteLineAsync("stopping the nodes started so far…").ConfigureAwait(false);
                await StopStartedAsync(dir, started).ConfigureAwait(false);
            }

            if (!allHealthy)
            {
                await StopProxyProcessAsync(dir).ConfigureAwait(false);
            }
        }

        WriteNodeTable(started.Select(s => s.ToManifest()).ToList());
        await output.WriteLineAsync($"{started.Count} nodes healthy. Logs: {Path.Combine(dir, "<id>", "console.log")}; manifest: {DevnetManifest.PathIn(dir)}").ConfigureAwait(false);
        if (options.Detach)
        {
            await output.WriteLineAsync($"Detached. Stop with: servicehall devnet down --data {dir}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        await output.WriteLineAsync("Running in the foreground; Ctrl-C stops every node.").ConfigureAwait(false);
        await WatchUntilStoppedAsync(started, stop.Token).ConfigureAwait(false);
        await output.WriteLineAsync("stopping…").ConfigureAwait(false);
        var outcome = await StopStartedAsync(dir, started).ConfigureAwait(false);
        return outcome ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary><c>devnet down</c>: stops every node of the devnet in <paramref name="directory"/>. Returns the exit code.</summary>
    public async Task<int> DownAsync(string directory, TimeSpan grace)
    {
        var dir = Path.GetFullPath(directory);
        DevnetManifest? manifest;
        try
        {
            manifest = DevnetManifest.TryLoad(dir);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            manifest = null;
        }

        // The manifest names the nodes; the /proc scan also catches any whose pid the manifest lacks
        // (a CLI killed mid-start) — a node process of this directory is never left behind.
        var byPid = new Dictionary<int, string>();
        foreach (var n in manifest?.Nodes ?? [])
        {
            if (NodeProcesses.IsDevnetNode(n.Pid, dir))
            {
                byPid[n.Pid] = n.Id;
            }
        }

        foreach (var pid in NodeProcesses.FindDevnetNodes(dir))
        {
            byPid.TryAdd(pid, Path.GetFileName(NodeProcesses.NodeDataDirectory(NodeProcesses.CommandLine(pid)) ?? "?"));
        }

        _proxy = manifest?.Proxy ?? DevnetProxyRecord.TryLoad(dir);
        await StopProxyProcessAsync(dir).ConfigureAwait(false);
        if (byPid.Count == 0)
        {
            await output.WriteLineAsync($"no devnet node is running in {dir}").ConfigureAwait(false);
            DeleteManifest(dir);
            return ExitCodes.Ok;
        }

        var outcome = await NodeProcesses.StopAsync(byPid.Keys, grace, time).ConfigureAwait(false);
        var table = Tables.Create("id", "pid", "stopped");
        foreach (var (pid, id) in byPid.OrderBy(kv => kv.Value, StringComparer.Ordinal))
        {
            Tables.Row(table, id, Tables.Num(pid), Describe(outcome[pid]));
        }

        Tables.Write(table);
        var left = NodeProcesses.FindDevnetNodes(dir);
        if (left.Count > 0)
        {
            await error.WriteLineAsync($"error: node processes still running in {dir}: {string.Join(", ", left)}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        DeleteManifest(dir);
        await output.WriteLineAsync($"devnet in {dir} stopped ({byPid.Count} nodes); stores and logs are kept.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>One node's state as <c>devnet status</c> reports it.</summary>
    /// <param name="Id">Node id.</param>
    /// <param name="Level">Level.</param>
    /// <param name="Url">Listen URL.</param>
    /// <param name="Pid">Process id from the manifest.</param>
    /// <param name="Running">True if that process is alive and is this devnet's node program.</param>
    /// <param name="Health">grpc.health.v1 state, or why it could not be checked.</param>
    /// <param name="WebUrl">URL of the node's web front desk, if the manifest lists one.</param>
    internal sealed record NodeHealth(string Id, string Level, string Url, int Pid, bool Running, string Health, string? WebUrl);

    /// <summary><c>devnet status</c>: each node's process and health. Exit 0 only if every node serves.</summary>
    public async Task<int> StatusAsync(string directory, bool json, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        DevnetManifest? manifest;
        try
        {
            manifest = DevnetManifest.TryLoad(dir);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        if (manifest is null)
        {
            await error.WriteLineAsync($"error: no devnet in {dir} (no {DevnetManifest.FileName}); start one with: servicehall devnet up --data {dir}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        DevnetSecurity.UseProfileOf(dir);
        var states = await Task.WhenAll(manifest.Nodes.Select(async n =>
        {
            var running = NodeProcesses.IsDevnetNode(n.Pid, dir);
            var health = "-";
            if (running)
            {
                using var channel = NodeChannel.Open(new Uri(n.Url));
                health = await HealthProbe.CheckAsync(channel, time, cancellationToken).ConfigureAwait(false);
            }

            return new NodeHealth(n.Id, n.Level, n.Url, n.Pid, running, health, n.WebUrl);
        })).ConfigureAwait(false);

        if (json)
        {
            JsonOutput.Write(new { nodes = states });
        }
        else
        {
            var table = Tables.Create("id", "level", "url", "web", "pid", "process", "health");
            foreach (var s in states)
            {
                Tables.Row(table, s.Id, s.Level, s.Url, s.WebUrl ?? "-", Tables.Num(s.Pid), s.Running ? "running" : "gone", s.Health);
            }

            Tables.Write(table);
        }

        return states.All(s => s.Running && s.Health == HealthProbe.Serving) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary><c>devnet cut NODE</c> / <c>devnet heal NODE</c>: one command to the devnet's link proxies. Returns the exit code.</summary>
    public async Task<int> LinkAsync(string directory, string verb, string node, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        DevnetProxyRecord? proxy;
        try
        {
            proxy = DevnetManifest.TryLoad(dir)?.Proxy;
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        if (proxy is null)
        {
            await error.WriteLineAsync($"error: no devnet with link proxies in {dir}; start one with: servicehall devnet up --data {dir}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        string answer;
        try
        {
            answer = await LinkProxyHost.SendAsync(proxy.ControlPort, $"{verb} {node}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            await error.WriteLineAsync($"error: the link proxies of {dir} do not answer on 127.0.0.1:{proxy.ControlPort} ({ex.Message}); is the devnet running?").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        var ok = answer.StartsWith("ok", StringComparison.Ordinal);
        await (ok ? output : error).WriteLineAsync(ok ? answer[3..] : "error: " + answer["error ".Length..]).ConfigureAwait(false);
        return ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The hidden <c>devnet proxy</c> verb: hosts the link proxies of a detached devnet until SIGTERM/SIGINT.</summary>
    public async Task<int> ProxyAsync(string directory, IReadOnlyDictionary<string, int> links, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(directory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        await using (var host = LinkProxyHost.Start(links))
        {
            host.ToRecord().Save(dir);
            await output.WriteLineAsync($"link proxies up: {string.Join(", ", host.Links.Select(l => $"{l.Key} {l.Value.Port}→{l.Value.TargetPort}"))}; control 127.0.0.1:{host.ControlPort}").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM from devnet down
            }
        }

        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
        return ExitCodes.Ok;
    }

    /// <summary>Starts the hidden <c>devnet proxy</c> process (its own session, like the nodes) and waits until it reports its ports.</summary>
    private async Task<DevnetProxyRecord?> StartProxyProcessAsync(string dir, IReadOnlyDictionary<string, int> links, CancellationToken cancellationToken)
    {
        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
        var self = Environment.ProcessPath ?? "dotnet";
        List<string> command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, typeof(LinkProxyHost).Assembly.Location] : [self];
        command.AddRange(["devnet", "proxy", "--data", dir]);
        foreach (var (child, port) in links)
        {
            command.AddRange(["--link", string.Create(CultureInfo.InvariantCulture, $"{child}={port}")]);
        }

        using var process = Process.Start(NodeLauncher.CreateStartInfo(Path.Combine(dir, "proxy.log"), dir, detach: true, command))
            ?? throw new InvalidOperationException("could not start the link proxy process");
        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < TimeSpan.FromSeconds(30))
        {
            if (DevnetProxyRecord.TryLoad(dir) is { } record && record.Pid == process.Id)
            {
                return record;
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }

        await error.WriteLineAsync($"error: the link proxy process did not start; see {Path.Combine(dir, "proxy.log")}{Tail(Path.Combine(dir, "proxy.log"))}").ConfigureAwait(false);
        if (!process.HasExited)
        {
            NodeProcesses.ForceKill(process.Id);
        }

        return null;
    }

    /// <summary>Stops a detached proxy process of this devnet (never the CLI itself, which hosts them in the foreground).</summary>
    private async Task StopProxyProcessAsync(string dir)
    {
        if (_proxy is { } p && p.Pid != Environment.ProcessId && IsProxyProcess(p.Pid, dir))
        {
            var outcome = await NodeProcesses.StopAsync([p.Pid], DefaultStopGrace, time).ConfigureAwait(false);
            await output.WriteLineAsync($"link proxies (pid {p.Pid}): {Describe(outcome[p.Pid])}").ConfigureAwait(false);
        }

        File.Delete(Path.Combine(dir, DevnetProxyRecord.FileName));
    }

    internal static bool IsProxyProcess(int pid, string dir)
    {
        var args = NodeProcesses.CommandLine(pid);
        var at = args.ToList().IndexOf("--data");
        return NodeProcesses.IsAlive(pid) && args.Contains("proxy") && at >= 0 && at + 1 < args.Count && Path.GetFullPath(args[at + 1]) == dir;
    }

    private async Task<bool> RefuseIfRunningAsync(string dir)
    {
        DevnetManifest? manifest;
        try
        {
            manifest = DevnetManifest.TryLoad(dir);
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message} Remove it, or run `servicehall devnet down --data {dir}`.").ConfigureAwait(false);
            return true;
        }

        var live = (manifest?.Nodes ?? [])
            .Where(n => NodeProcesses.IsDevnetNode(n.Pid, dir))
            .Select(n => n.Pid)
            .Union(NodeProcesses.FindDevnetNodes(dir))
            .Order()
            .ToList();
        if (live.Count == 0)
        {
            return false;
        }

        await error.WriteLineAsync(
            $"error: a devnet is already running in {dir} (node pids {string.Join(", ", live)}). "
            + $"Stop it first with: servicehall devnet down --data {dir}").ConfigureAwait(false);
        return true;
    }

    private async Task<List<StartedNode>> StartTierAsync(
        IReadOnlyList<DevnetNodeSpec> tier, string what, IReadOnlyDictionary<string, string> programs, string dir,
        DevnetUpOptions options, List<StartedNode> started, CancellationToken cancellationToken)
    {
        var nodes = new List<StartedNode>();
        foreach (var spec in tier)
        {
            var launch = new NodeLaunch(spec, programs[spec.Level], Path.Combine(dir, spec.Id));
            Process process;
            try
            {
                process = NodeLauncher.Start(launch, options.Detach);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                throw new DevnetStartException($"could not start node {spec.Id}: {ex.Message}");
            }

            var node = new StartedNode(spec, launch, process);
            nodes.Add(node);
            started.Add(node);

            // Written after every start, so that `devnet down` finds every node even if this CLI dies now.
            SaveManifest(dir, started);
        }

        await output.WriteLineAsync($"started {what}: {string.Join(", ", nodes.Select(n => $"{n.Spec.Id} (pid {n.Pid})"))}; waiting for health…").ConfigureAwait(false);
        await Task.WhenAll(nodes.Select(n => WaitHealthyAsync(n, options.HealthTimeout, cancellationToken))).ConfigureAwait(false);
        if (nodes.Any(n => n.Spec.Level == "city"))
        {
            _admin = DevnetClerks.ReadAdministrator(nodes.First(n => n.Spec.Level == "city").Launch.DataDirectory);
        }

        await Task.WhenAll(nodes.Select(n => WaitSignedInAsync(n, options.HealthTimeout, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(nodes.Select(n => ReadIdentityAsync(n, dir, cancellationToken))).ConfigureAwait(false);
        SaveManifest(dir, started);
        return nodes;
    }

    private async Task WaitHealthyAsync(StartedNode node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A secured devnet has no operator profile until the city has made its CA: that is part of the wait.
        var dir = Path.GetDirectoryName(node.Launch.DataDirectory)!;
        GrpcChannel? channel = null;
        try
        {
            await WaitHealthyAsync(node, timeout, () => channel ??= !node.Spec.Secured || DevnetSecurity.TryPrepareProfile(dir) is not null
                ? NodeChannel.Open(new Uri(node.Spec.Url))
                : null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            channel?.Dispose();
        }
    }

    private async Task WaitHealthyAsync(StartedNode node, TimeSpan timeout, Func<GrpcChannel?> channel, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var last = "not checked yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node.Process.HasExited)
            {
                throw new DevnetStartException(
                    $"node {node.Spec.Id} exited with code {node.Process.ExitCode} before it became healthy; see its log {node.Launch.ConsoleLog}{Tail(node.Launch.ConsoleLog)}");
            }

            last = channel() is { } open
                ? await HealthProbe.CheckAsync(open, time, cancellationToken).ConfigureAwait(false)
                : "waiting for the city's CA and operator certificate";
            if (last == HealthProbe.Serving)
            {
                return;
            }

            if (time.GetElapsedTime(start) >= timeout)
            {
                throw new DevnetStartException(
                    $"node {node.Spec.Id} at {node.Spec.Url} is not healthy after {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s "
                    + $"(last health check: {last}); see its log {node.Launch.ConsoleLog}{Tail(node.Launch.ConsoleLog)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The clerk devnet operates <paramref name="nodeId"/> as: its operator, or the administrator before the clerks exist.</summary>
    private ClerkCredential? OperatorOf(string nodeId) =>
        _clerks?.Clerks.FirstOrDefault(c => c.Node == nodeId && c.Role == "operator") ?? (_admin?.Node == nodeId ? _admin : null);

    private Metadata? OperatorHeaders(string nodeId) => OperatorOf(nodeId)?.Headers;

    /// <summary>Creates the devnet's clerks at the city and writes their credentials to <c>DIR/clerks.json</c>.</summary>
    private async Task CreateClerksAsync(DevnetNodeSpec city, IReadOnlyList<DevnetNodeSpec> plan, string dir, CancellationToken cancellationToken)
    {
        using var channel = NodeChannel.Open(new Uri(city.Url));
        try
        {
            _clerks = await DevnetClerks.EnsureAsync(channel, _admin!, plan, ClerkProfile.Load(dir), time, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DevnetStartException($"creating the devnet's clerks at the city failed ({ex.StatusCode}: {ex.Status.Detail})");
        }

        _clerks.Save(dir);
        await output.WriteLineAsync($"clerks: {_clerks.Clerks.Count} in {Path.Combine(dir, ClerkProfile.FileName)} (the CLI's default profile; --as CLERK picks one)").ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the node signs its operator in: a township or village holds its clerks only after its first sync has
    /// pulled them (its runner syncs at start).
    /// </summary>
    private async Task WaitSignedInAsync(StartedNode node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (OperatorOf(node.Spec.Id) is not { } clerk)
        {
            return;
        }

        using var channel = NodeChannel.Open(new Uri(node.Spec.Url));
        if (!await DevnetClerks.WaitSignedInAsync(channel, clerk, timeout, time, cancellationToken).ConfigureAwait(false))
        {
            throw new DevnetStartException(
                $"node {node.Spec.Id} does not know its clerks after {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s: its first sync with {node.Spec.UpstreamUrl} has not succeeded; see its log {node.Launch.ConsoleLog}{Tail(node.Launch.ConsoleLog)}");
        }
    }

    /// <summary>Takes pid and store location from the node itself (its GetStatus), which is what an operator wants in the table.</summary>
    private async Task ReadIdentityAsync(StartedNode node, string dir, CancellationToken cancellationToken)
    {
        using var channel = NodeChannel.Open(new Uri(node.Spec.Url));
        try
        {
            var status = await new NodeAdmin.NodeAdminClient(channel).GetStatusAsync(
                new GetStatusRequest(), OperatorHeaders(node.Spec.Id), deadline: NodeChannel.Deadline(time, NodeChannel.CallTimeout), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (status.NodeId != node.Spec.Id)
            {
                throw new DevnetStartException($"the node at {node.Spec.Url} says it is '{status.NodeId}', not {node.Spec.Id}: another program holds the port?");
            }

            if (status.Pid > 0 && status.Pid != node.Pid && NodeProcesses.IsDevnetNode(status.Pid, dir))
            {
                node.Pid = status.Pid;
            }

            if (status.Store.Length > 0)
            {
                node.Store = status.Store;
            }
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"warning: {node.Spec.Id}: GetStatus failed ({ex.StatusCode}: {ex.Status.Detail}); recording its data directory as the store").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers the townships and villages at the city, skipping those its registry already holds as planned (and, when
    /// secured, that hold their certificate); returns the enrolment tokens of the secured nodes registered.
    /// </summary>
    private async Task<Dictionary<string, string>> RegisterAsync(DevnetNodeSpec city, IReadOnlyList<DevnetNodeSpec> others, string dir, CancellationToken cancellationToken)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (others.Count == 0)
        {
            return tokens;
        }

        using var channel = NodeChannel.Open(new Uri(city.Url));
        var known = new Dictionary<string, RegisteredNode>(StringComparer.Ordinal);
        var registryRead = true;
        try
        {
            var reply = await new Catalogue.CatalogueClient(channel).ListNodesAsync(
                new ListNodesRequest(), deadline: NodeChannel.Deadline(time, NodeChannel.CallTimeout), cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var n in reply.Nodes)
            {
                known[n.Id] = n;
            }
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            registryRead = false;
            await error.WriteLineAsync($"warning: cannot read the city's node registry ({ex.StatusCode}: {ex.Status.Detail}); registering every node").ConfigureAwait(false);
        }

        var admin = new NodeAdmin.NodeAdminClient(channel);
        int created = 0, present = 0, failed = 0;
        foreach (var spec in others)
        {
            var level = Levels.Parse(spec.Level);
            if (known.TryGetValue(spec.Id, out var k) && k.Level == level && k.ParentId == spec.ParentId && (!spec.Secured || DevnetSecurity.IsEnrolled(dir, spec.Id)))
            {
                present++;
                continue;
            }

            try
            {
                var reply = await admin.RegisterNodeAsync(
                    new RegisterNodeRequest
                    {
                        Id = spec.Id,
                        Level = level,
                        ParentId = spec.ParentId ?? "city",
                        // Only a node the registry lacks gets a devnet name: a shipped registry's names are kept.
                        Name = registryRead ? $"devnet {spec.Level} {spec.Id}" : string.Empty,
                    },
                    _admin?.Headers,
                    NodeChannel.Deadline(time, NodeChannel.CallTimeout),
                    cancellationToken).ConfigureAwait(false);
                if (reply.EnrolmentToken.Length > 0)
                {
                    tokens[spec.Id] = reply.EnrolmentToken;
                }

                if (reply.Created)
                {
                    created++;
                }
                else
                {
                    present++;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                // One line, not one per node: the city program lacks the call altogether.
                await error.WriteLineAsync($"warning: the city does not implement NodeAdmin.RegisterNode; {others.Count - created - present} nodes not registered, their sync will be refused").ConfigureAwait(false);
                return tokens;
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                await error.WriteLineAsync($"warning: registering {spec.Id} at the city failed ({ex.StatusCode}: {ex.Status.Detail}); its sync will be refused").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"registry at the city: {created} registered, {present} already there{(failed > 0 ? $", {failed} failed" : string.Empty)}").ConfigureAwait(false);
        return tokens;
    }

    /// <summary>One sync round on each node of a tier, so that it holds the registry before its children start.</summary>
    private async Task SyncTierAsync(IReadOnlyList<StartedNode> tier, CancellationToken cancellationToken)
    {
        var unimplemented = new System.Collections.Concurrent.ConcurrentBag<string>();
        var lines = await Task.WhenAll(tier.Select(async n =>
        {
            using var channel = NodeChannel.Open(new Uri(n.Spec.Url));
            try
            {
                var reply = await new NodeAdmin.NodeAdminClient(channel).SyncNowAsync(
                    new SyncNowRequest(), OperatorHeaders(n.Spec.Id), deadline: NodeChannel.Deadline(time, TimeSpan.FromMinutes(2)), cancellationToken: cancellationToken).ConfigureAwait(false);
                return reply.Ok
                    ? (true, $"{n.Spec.Id}: pulled {reply.Pulled}, pushed {reply.Pushed}")
                    : (false, $"warning: {n.Spec.Id}: sync with {n.Spec.UpstreamUrl} failed: {reply.Error}");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                unimplemented.Add(n.Spec.Id);
                return (false, string.Empty);
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return (false, $"warning: {n.Spec.Id}: SyncNow failed ({ex.StatusCode}: {ex.Status.Detail})");
            }
        })).ConfigureAwait(false);

        if (!unimplemented.IsEmpty)
        {
            await error.WriteLineAsync($"warning: NodeAdmin.SyncNow is not implemented by {string.Join(", ", unimplemented.Order(StringComparer.Ordinal))}; no initial sync").ConfigureAwait(false);
        }

        var ok = lines.Where(l => l.Item1).Select(l => l.Item2).ToList();
        if (ok.Count > 0)
        {
            await output.WriteLineAsync($"synced {string.Join("; ", ok)}").ConfigureAwait(false);
        }

        foreach (var (_, line) in lines.Where(l => !l.Item1 && l.Item2.Length > 0))
        {
            await error.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    /// <summary>Foreground: reports nodes that exit on their own, until Ctrl-C/SIGTERM.</summary>
    private async Task WatchUntilStoppedAsync(List<StartedNode> started, CancellationToken stop)
    {
        var stopped = Task.Delay(Timeout.Infinite, stop);
        var watching = started.ToDictionary(n => n.Process.WaitForExitAsync(CancellationToken.None), n => n);
        while (true)
        {
            var done = await Task.WhenAny(watching.Keys.Append(stopped)).ConfigureAwait(false);
            if (done == stopped)
            {
                return;
            }

            var node = watching[done];
            watching.Remove(done);
            await error.WriteLineAsync(
                $"warning: node {node.Spec.Id} (pid {node.Pid}) exited with code {node.Process.ExitCode}; see its log {node.Launch.ConsoleLog}").ConfigureAwait(false);
        }
    }

    private async Task<bool> StopStartedAsync(string dir, List<StartedNode> started)
    {
        var pids = started.Select(n => n.Pid).Concat(started.Select(n => n.Process.Id)).Distinct().ToList();
        var outcome = await NodeProcesses.StopAsync(pids, DefaultStopGrace, time).ConfigureAwait(false);
        foreach (var n in started)
        {
            n.Process.Dispose();
        }

        var survivors = outcome.Where(kv => kv.Value == StopOutcome.Survived).Select(kv => kv.Key).ToList();
        if (survivors.Count > 0)
        {
            await error.WriteLineAsync($"error: processes still running after SIGKILL: {string.Join(", ", survivors)}").ConfigureAwait(false);
            return false;
        }

        var killed = outcome.Count(kv => kv.Value == StopOutcome.Killed);
        await output.WriteLineAsync($"stopped {started.Count} nodes{(killed > 0 ? $" ({killed} needed SIGKILL)" : string.Empty)}").ConfigureAwait(false);
        DeleteManifest(dir);
        return true;
    }

    private void WriteNodeTable(IReadOnlyList<DevnetManifestNode> nodes)
    {
        var table = Tables.Create("id", "level", "url", "web", "pid", "store");
        foreach (var n in nodes)
        {
            Tables.Row(table, n.Id, n.Level, n.Url, n.WebUrl ?? "-", Tables.Num(n.Pid), n.Store);
        }

        Tables.Write(table);
    }

    private void SaveManifest(string dir, List<StartedNode> started) =>
        new DevnetManifest(started.Select(s => s.ToManifest()).ToList(), _proxy).Save(dir);

    private static void DeleteManifest(string dir)
    {
        var path = DevnetManifest.PathIn(dir);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static string Describe(StopOutcome outcome) => outcome switch
    {
        StopOutcome.AlreadyGone => "was not running",
        StopOutcome.Terminated => "SIGTERM",
        StopOutcome.Killed => "SIGKILL (did not exit within the grace period)",
        _ => "STILL RUNNING",
    };

    /// <summary>The last lines of a log, indented, for an error message.</summary>
    internal static string Tail(string path, int lines = 10)
    {
        try
        {
            var all = File.ReadLines(path).ToList();
            var last = all.TakeLast(lines).ToList();

            // A crash's cause is at the top of its stack trace, which the tail cuts off.
            var cause = all.FindLastIndex(l => l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase));
            if (cause >= 0 && cause < all.Count - lines)
            {
                last.InsertRange(0, [.. all.Skip(cause).Take(2), "…"]);
            }

            return last.Count == 0 ? " (empty)" : Environment.NewLine + "  last lines:" + Environment.NewLine + string.Join(Environment.NewLine, last.Select(l => "  | " + l));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
