using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;
using ServiceHall.Testing.Cli;

using ServiceHall.Cli.Devnet;

namespace ServiceHall.Testing.Chaos;

/// <summary>How long and how hard a <see cref="ChaosRun"/> shakes its devnet.</summary>
internal sealed record ChaosOptions
{
    /// <summary>Seed of every random choice (which link is cut, which node is killed, the pauses).</summary>
    public int Seed { get; init; }

    /// <summary>Number of cut/kill/restart/heal rounds; when null, rounds go on until <see cref="Duration"/> has passed.</summary>
    public int? Rounds { get; init; }

    /// <summary>How long the chaos lasts when <see cref="Rounds"/> is null.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most answered cases per village. The check reads each node's case list, which holds at most 1000 cases,
    /// so villages × this must stay at or below 1000 for the city's list to be a complete view.</summary>
    public int CasesPerVillage { get; init; } = 150;

    /// <summary>Pause between two submissions at one village.</summary>
    public TimeSpan SubmitInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long the network may take to converge after the last heal.</summary>
    public TimeSpan ConvergeBound { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a started node may take to serve.</summary>
    public TimeSpan HealthBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Progress lines; null for none.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>What a <see cref="ChaosRun"/> did and found.</summary>
/// <param name="Seed">The seed it ran with.</param>
/// <param name="Submitted">Cases whose Submit was answered (the ledger).</param>
/// <param name="Cuts">Link cuts.</param>
/// <param name="Kills">SIGKILLs (each followed by a restart on the same store).</param>
/// <param name="Lost">Ledger cases missing at one or more of the nodes entitled to them after convergence ended.</param>
/// <param name="Doubled">Ledger cases held more than once at some node, or whose number was handed out twice.</param>
/// <param name="Misplaced">Ledger cases held by a node not entitled to them.</param>
/// <param name="Diverged">Ledger cases whose derived state differs between the entitled nodes.</param>
/// <param name="Problems">One line per problem found by the last check (empty when converged).</param>
/// <param name="StartAndChaos">From the first node start to the last heal and the writers' stop.</param>
/// <param name="ConvergeTime">From the last heal to the first clean check (or to giving up).</param>
/// <param name="Converged">Whether the check came out clean within <see cref="ChaosOptions.ConvergeBound"/>.</param>
internal sealed record ChaosResult(
    int Seed,
    int Submitted,
    int Cuts,
    int Kills,
    int Lost,
    int Doubled,
    int Misplaced,
    int Diverged,
    IReadOnlyList<string> Problems,
    TimeSpan StartAndChaos,
    TimeSpan ConvergeTime,
    bool Converged);

/// <summary>
/// BRIEF "What must hold" 1 and 5 at process level, shared by the chaos test and the chaos soak of the bench:
/// a devnet of real node programs (OS processes, loopback only), each child reaching its parent through a
/// <see cref="LinkProxy"/>; while cases are submitted at every village, rounds cut a random link, SIGKILL a village
/// or a township mid-sync, restart it on the same store and heal the link. After the last heal it waits, with no
/// operator action, until every case it saw acknowledged is held exactly once, with the same derived state, by every
/// node entitled to it (its village, its township, the city) and by no other. Disposing kills every process it started.
/// </summary>
internal sealed class ChaosRun : IAsyncDisposable
{
    private const int Townships = 2;
    private const int VillagesPerTownship = 2;

    private readonly ChaosOptions _options;
    private readonly string _dir;
    private readonly Dictionary<string, ChaosNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<LinkProxy> _proxies = [];
    private readonly ConcurrentDictionary<string, string> _ledger = new(StringComparer.Ordinal);
    private int _handedOutTwice;

    /// <summary>A run in a fresh directory under the system temp folder.</summary>
    public ChaosRun(ChaosOptions options)
    {
        _options = options;
        _dir = Path.Combine(Path.GetTempPath(), "servicehall-chaos", Guid.NewGuid().ToString("N"));
    }

    /// <summary>The devnet's directory (one data directory and console.log per node).</summary>
    public string Directory => _dir;

    /// <summary>Keep <see cref="Directory"/> on dispose (to read the nodes' logs after a failure).</summary>
    public bool KeepData { get; set; }

    /// <summary>Starts the devnet, runs the chaos, then waits for convergence; returns the figures.</summary>
    public async Task<ChaosResult> RunAsync(CancellationToken ct)
    {
        var random = new Random(_options.Seed);
        var clock = Stopwatch.StartNew();

        await StartNetworkAsync(ct).ConfigureAwait(false);
        var villages = _nodes.Values.Where(n => n.Spec.Level == "village").ToList();
        var townships = _nodes.Values.Where(n => n.Spec.Level == "township").ToList();
        Log($"devnet up in {clock.Elapsed.TotalSeconds:0.0} s: {_nodes.Count} node processes, {_proxies.Count} link proxies, data in {_dir}");

        // Writers: one per village; the ledger holds only cases whose Submit was answered.
        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writers = villages.Select(v => Task.Run(() => WriteAsync(v, stopWriters.Token), ct)).ToList();

        // Chaos: each round cuts a link, kills a node mid-sync (SIGKILL) and restarts it on its store, then heals.
        var kills = 0;
        var cuts = 0;
        var chaos = Stopwatch.StartNew();
        for (var round = 0; _options.Rounds is { } rounds ? round < rounds : chaos.Elapsed < _options.Duration; round++)
        {
            var cut = _proxies[random.Next(_proxies.Count)];
            cut.Cut();
            cuts++;
            var victim = round % 3 == 2 ? townships[random.Next(townships.Count)] : villages[random.Next(villages.Count)];
            // Start rounds that the kill interrupts: the victim's own, and (for a township) one of its villages' pushes into it.
            _ = victim.SyncNowAsync(ct);
            if (victim.Spec.Level == "township")
            {
                _ = villages.First(v => v.Spec.ParentId == victim.Spec.Id).SyncNowAsync(ct);
            }

            await Task.Delay(random.Next(0, 120), ct).ConfigureAwait(false);
            await victim.KillAsync().ConfigureAwait(false);
            kills++;
            await Task.Delay(random.Next(100, 600), ct).ConfigureAwait(false);
            victim.Start();
            await victim.WaitHealthyAsync(_options.HealthBound, ct).ConfigureAwait(false);
            cut.Heal();
            if (kills % 10 == 0)
            {
                Log($"{chaos.Elapsed.TotalSeconds:0} s: {kills} kills, {cuts} cuts, {_ledger.Count} cases so far");
            }
        }

        await Task.Delay(500, ct).ConfigureAwait(false);
        await stopWriters.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(writers).ConfigureAwait(false);
        var startAndChaos = clock.Elapsed;
        Log($"last heal: {kills} kills, {cuts} cuts, {_ledger.Count} cases; waiting for convergence (bound {_options.ConvergeBound.TotalSeconds:0} s)");

        // Convergence with no operator action: the runners (1 s interval, breakers of 1 s) bring everything up and down.
        var converge = Stopwatch.StartNew();
        var check = await CheckAsync(ct).ConfigureAwait(false);
        while (check.Problems.Count > 0 && converge.Elapsed < _options.ConvergeBound)
        {
            await Task.Delay(500, ct).ConfigureAwait(false);
            check = await CheckAsync(ct).ConfigureAwait(false);
        }

        var convergeTime = converge.Elapsed;
        return new ChaosResult(_options.Seed, _ledger.Count, cuts, kills, check.Lost, check.Doubled + _handedOutTwice, check.Misplaced, check.Diverged,
            check.Problems, startAndChaos, convergeTime, check.Problems.Count == 0 && _handedOutTwice == 0);
    }

    private void Log(string line) => _options.Log?.Invoke(line);

    private async Task StartNetworkAsync(CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(_dir);
        // Each node takes two ports: gRPC and its web pages (see DevnetPlan).
        var basePort = TestPorts.FreeRange(2 * (1 + Townships + (Townships * VillagesPerTownship)));
        foreach (var spec in DevnetPlan.Create(Townships, VillagesPerTownship, basePort))
        {
            LinkProxy? proxy = null;
            if (spec.ParentPort is { } parentPort)
            {
                proxy = new LinkProxy(spec.Id, parentPort).Start();
                _proxies.Add(proxy);
            }

            _nodes[spec.Id] = new ChaosNode(spec with { ViaPort = proxy?.Port }, Path.Combine(_dir, spec.Id));
        }

        var city = _nodes["city"];
        city.Start();
        await city.WaitHealthyAsync(_options.HealthBound, ct).ConfigureAwait(false);
        var administrator = DevnetClerks.ReadAdministrator(Path.Combine(_dir, "city"));
        var admin = new NodeAdmin.NodeAdminClient(city.Channel);
        foreach (var n in _nodes.Values.Where(n => n.Spec.ParentId is not null))
        {
            await admin.RegisterNodeAsync(new RegisterNodeRequest { Id = n.Spec.Id, Level = Levels.Parse(n.Spec.Level), ParentId = n.Spec.ParentId, Name = n.Spec.Id },
                administrator.Headers, TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(10), ct).ConfigureAwait(false);
        }

        // The clerks devnet creates: the writers file cases as each village's window clerk, rounds run as each node's operator.
        var clerks = await DevnetClerks.EnsureAsync(city.Channel, administrator, [.. _nodes.Values.Select(n => n.Spec)], null, TimeProvider.System, ct).ConfigureAwait(false);
        foreach (var n in _nodes.Values)
        {
            n.Window = clerks.Clerks.First(c => c.Node == n.Spec.Id && c.Role == "window").Headers;
            n.Operator = clerks.Clerks.First(c => c.Node == n.Spec.Id && c.Role == "operator");
        }

        foreach (var level in new[] { "township", "village" })
        {
            var tier = _nodes.Values.Where(n => n.Spec.Level == level).ToList();
            tier.ForEach(n => n.Start());
            await Task.WhenAll(tier.Select(n => n.WaitHealthyAsync(_options.HealthBound, ct))).ConfigureAwait(false);
            await Task.WhenAll(tier.Select(n => DevnetClerks.WaitSignedInAsync(n.Channel, n.Operator!, _options.HealthBound, TimeProvider.System, ct))).ConfigureAwait(false);
            var synced = await Task.WhenAll(tier.Select(n => n.SyncNowAsync(ct))).ConfigureAwait(false);
            if (!synced.All(ok => ok))
            {
                throw new InvalidOperationException($"the first sync of the {level} tier failed; see the console.log files under {_dir}");
            }
        }
    }

    private async Task WriteAsync(ChaosNode village, CancellationToken stop)
    {
        var i = 0;
        var answered = 0;
        while (!stop.IsCancellationRequested && answered < _options.CasesPerVillage)
        {
            try
            {
                var reply = await new Cases.CasesClient(village.Channel).SubmitAsync(
                    new SubmitCaseRequest
                    {
                        Item = "VIL-RESIDENCE-CERT",
                        ApplicantName = $"{village.Spec.Id} applicant {i++}",
                        IdNumber = "370982199001011234",
                    },
                    village.Window,
                    deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(5),
                    cancellationToken: stop).ConfigureAwait(false);
                if (!_ledger.TryAdd(reply.Number, village.Spec.Id))
                {
                    Interlocked.Increment(ref _handedOutTwice);
                    Log($"case number {reply.Number} handed out twice");
                }

                answered++;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Cancelled)
            {
                // the village is being killed or restarted: the clerk tries again
            }

            try
            {
                await Task.Delay(_options.SubmitInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Every ledger case once at its village, its township and the city, with one derived state; nowhere else.</summary>
    private async Task<Check> CheckAsync(CancellationToken ct)
    {
        var held = new Dictionary<string, ILookup<string, Case>>(StringComparer.Ordinal);
        var check = new Check();
        foreach (var n in _nodes.Values)
        {
            try
            {
                var reply = await new Cases.CasesClient(n.Channel).ListAsync(new ListCasesRequest { Limit = 1000 }, n.Window,
                    deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30), cancellationToken: ct).ConfigureAwait(false);
                held[n.Spec.Id] = reply.Cases.ToLookup(c => c.Number, StringComparer.Ordinal);
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested)
            {
                // a slow or briefly unreachable node is not yet converged: check again on the next poll
                check.Problems.Add($"{n.Spec.Id} could not be read: {ex.StatusCode} {ex.Status.Detail}");
            }
        }

        if (check.Problems.Count > 0)
        {
            return check;
        }

        foreach (var (number, village) in _ledger)
        {
            var township = _nodes[village].Spec.ParentId!;
            var entitled = new[] { village, township, "city" };
            var states = new List<string>();
            bool lost = false, doubled = false;
            foreach (var id in entitled)
            {
                var copies = held[id][number].ToList();
                if (copies.Count != 1)
                {
                    lost |= copies.Count == 0;
                    doubled |= copies.Count > 1;
                    check.Problems.Add($"{number} (from {village}) held {copies.Count} times at {id}");
                    continue;
                }

                states.Add($"{copies[0].Status}/{copies[0].History.Count}/{copies[0].Holder}");
            }

            if (states.Distinct(StringComparer.Ordinal).Count() > 1)
            {
                check.Diverged++;
                check.Problems.Add($"{number} (from {village}) has different states: {string.Join(" | ", states)}");
            }

            var misplaced = false;
            foreach (var other in _nodes.Keys.Except(entitled))
            {
                if (held[other].Contains(number))
                {
                    misplaced = true;
                    check.Problems.Add($"{number} (from {village}) is held by {other}, which is not entitled to it");
                }
            }

            check.Lost += lost ? 1 : 0;
            check.Doubled += doubled ? 1 : 0;
            check.Misplaced += misplaced ? 1 : 0;
        }

        return check;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes.Values)
        {
            await n.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var p in _proxies)
        {
            await p.DisposeAsync().ConfigureAwait(false);
        }

        if (KeepData)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // a file still held by a dying process; the OS temp cleaner takes it
        }
    }

    private sealed class Check
    {
        public List<string> Problems { get; } = [];

        public int Lost { get; set; }

        public int Doubled { get; set; }

        public int Misplaced { get; set; }

        public int Diverged { get; set; }
    }

    /// <summary>One node program, started (and restarted) as an OS process on its own data directory.</summary>
    private sealed class ChaosNode(DevnetNodeSpec spec, string dataDirectory) : IAsyncDisposable
    {
        // Fast sync timing so a run converges in seconds: rounds every second, short back-off and breaks.
        private static readonly Dictionary<string, string> SyncSettings = new(StringComparer.Ordinal)
        {
            ["SERVICEHALL_Sync__Interval"] = "00:00:01",
            ["SERVICEHALL_Sync__Debounce"] = "00:00:00.100",
            ["SERVICEHALL_Sync__RetryAttempts"] = "2",
            ["SERVICEHALL_Sync__RetryBaseDelay"] = "00:00:00.200",
            ["SERVICEHALL_Sync__MaxBackoff"] = "00:00:01",
            ["SERVICEHALL_Sync__AttemptTimeout"] = "00:00:15",
            ["SERVICEHALL_Sync__BreakerFailureThreshold"] = "4",
            ["SERVICEHALL_Sync__BreakDuration"] = "00:00:01",
        };

        private Process? _process;

        public DevnetNodeSpec Spec { get; } = spec;

        /// <summary>The node's window clerk (files and lists cases).</summary>
        public Metadata? Window { get; set; }

        /// <summary>The node's operator (sync rounds).</summary>
        public ClerkCredential? Operator { get; set; }

        // One channel for the node's whole life, across kills: its reconnect back-off must stay short, or a restarted
        // node looks unhealthy for up to the default 2 minutes after it is serving again.
        public GrpcChannel Channel { get; } = GrpcChannel.ForAddress(spec.Url, new GrpcChannelOptions { MaxReconnectBackoff = TimeSpan.FromSeconds(1) });

        public void Start()
        {
            var launch = new NodeLaunch(Spec, NodeProgramLocator.Locate(Spec.Level), dataDirectory);
            System.IO.Directory.CreateDirectory(dataDirectory);
            var psi = NodeLauncher.CreateStartInfo(launch.ConsoleLog, dataDirectory, detach: false, [NodeLauncher.DotnetHost(), .. launch.NodeArguments]);
            foreach (var (k, v) in SyncSettings)
            {
                psi.Environment[k] = v;
            }

            _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Spec.Id}");
        }

        public async Task KillAsync()
        {
            var p = _process!;
            NodeProcesses.ForceKill(p.Id);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await p.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            p.Dispose();
            _process = null;
        }

        public async Task WaitHealthyAsync(TimeSpan bound, CancellationToken ct)
        {
            var start = Stopwatch.StartNew();
            while (await HealthProbe.CheckAsync(Channel, TimeProvider.System, ct).ConfigureAwait(false) != HealthProbe.Serving)
            {
                if (_process is not { HasExited: false })
                {
                    throw new InvalidOperationException($"{Spec.Id} exited; see {Path.Combine(dataDirectory, "console.log")}");
                }

                if (start.Elapsed >= bound)
                {
                    throw new TimeoutException($"{Spec.Id} not healthy after {bound}; see {Path.Combine(dataDirectory, "console.log")}");
                }

                await Task.Delay(100, ct).ConfigureAwait(false);
            }
        }

        /// <summary>One round now; false if it failed (a cut link, an open breaker, a dead parent) or the node is down.</summary>
        public async Task<bool> SyncNowAsync(CancellationToken ct)
        {
            try
            {
                var reply = await new NodeAdmin.NodeAdminClient(Channel).SyncNowAsync(new SyncNowRequest(), Operator?.Headers,
                    deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30), cancellationToken: ct).ConfigureAwait(false);
                return reply.Ok;
            }
            catch (RpcException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_process is { HasExited: false })
                {
                    await KillAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // SIGKILL sent, exit not seen within the bound; nothing more can be done from here
            }

            _process?.Dispose();
            Channel.Dispose();
        }
    }
}
