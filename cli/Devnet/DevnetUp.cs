using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;

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
/// <c>devnet up</c>: one city, N townships, M villages under each, every one a separate OS process of the
/// real node program on 127.0.0.1 with its own store under <c>DIR/&lt;id&gt;/</c>.
/// Start order: city → wait healthy → register the other nodes at the city → townships → wait healthy →
/// SyncNow on each (so they hold the registry) → villages → wait healthy → SyncNow on each
/// (registration, clerks and the first sync are in DevnetUp.Registration.cs).
/// </summary>
internal sealed partial class DevnetUp(TimeProvider time, TextWriter output, TextWriter error)
{
    /// <summary>How long each tier may take to become healthy by default.</summary>
    public static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(60);

    private readonly DevnetProxy _proxies = new(time, output, error);
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

    /// <summary>Runs <c>devnet up</c>. Returns the exit code.</summary>
    public async Task<int> RunAsync(DevnetUpOptions options, CancellationToken cancellationToken)
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
            _proxy = await _proxies.StartProcessAsync(dir, links, cancellationToken).ConfigureAwait(false);
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
        using var stop = new SignalStop(cancellationToken);

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

    private async Task<bool> RefuseIfRunningAsync(string dir)
    {
        if (!DevnetManifest.LoadOrExplain(dir, error, out var manifest, $" Remove it, or run `servicehall devnet down --data {dir}`."))
        {
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
                    $"node {node.Spec.Id} exited with code {node.Process.ExitCode} before it became healthy; see its log {node.Launch.ConsoleLog}{LogTail.Of(node.Launch.ConsoleLog)}");
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
                    + $"(last health check: {last}); see its log {node.Launch.ConsoleLog}{LogTail.Of(node.Launch.ConsoleLog)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
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
        var outcome = await NodeProcesses.StopAsync(pids, DevnetDown.DefaultStopGrace, time).ConfigureAwait(false);
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
        DevnetManifest.Delete(dir);
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

    private Task StopProxyProcessAsync(string dir) => _proxies.StopProcessAsync(_proxy, dir);
}
