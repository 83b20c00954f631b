using ServiceHall.Cli.Devnet;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;

namespace ServiceHall.Testing.Scale;

/// <summary>
/// The network of the scale run: the city, townships and villages of the seed registry, each a real node host on
/// 127.0.0.1 with its own store; in the bench process, except (with <see cref="ScaleOptions.ProcessNodes"/>) one township
/// and one village run as node programs. One village reaches its township through a <see cref="LinkProxy"/> so that its link
/// can be cut (the catch-up phase). Started parent first; ready when every node holds the whole catalogue.
/// </summary>
internal sealed class ScaleNetwork : IAsyncDisposable
{
    private readonly List<ScaleNode> _started = [];

    private ScaleNetwork(Arrivals arrivals) => Arrivals = arrivals;

    /// <summary>Arrival times of rows at the in-process nodes.</summary>
    public Arrivals Arrivals { get; }

    /// <summary>The city.</summary>
    public InProcessNode City { get; private set; } = null!;

    /// <summary>Every node but the city, townships first.</summary>
    public IReadOnlyList<ScaleNode> Others => _started.Where(n => n != City).ToList();

    /// <summary>Nodes of one level.</summary>
    public IReadOnlyList<ScaleNode> OfLevel(NodeLevel level) => _started.Where(n => n.Level == level).ToList();

    /// <summary>The village whose link can be cut, and its link; null if the network has no village.</summary>
    public (InProcessNode Village, LinkProxy Link)? Cuttable { get; private set; }

    /// <summary>Node programs (peak memory, CPU).</summary>
    public IReadOnlyList<ProcessNode> Processes => _started.OfType<ProcessNode>().ToList();

    /// <summary>Starts the network described by <paramref name="options"/>.</summary>
    public static async Task<ScaleNetwork> StartAsync(ScaleOptions options, CancellationToken ct)
    {
        var seed = CatalogueSeedData.LoadEmbedded();
        var townships = seed.Nodes.Where(n => n.Level == NodeLevel.Township).Take(options.Townships).ToList();
        if (townships.Count < options.Townships)
        {
            throw new ArgumentException($"the seed registry has {townships.Count} townships; {options.Townships} were asked for");
        }

        var villages = PickVillages(seed.Nodes, townships, options.Villages);
        var net = new ScaleNetwork(new Arrivals());
        try
        {
            var log = options.Log ?? (_ => { });
            net.City = await InProcessNode.StartAsync(seed.Nodes.Single(n => n.Level == NodeLevel.City), null, options.DataRoot, net.Arrivals, options.NodeArgs).ConfigureAwait(false);
            net._started.Add(net.City);
            // Node programs (own OS processes): a township, a village on the JIT, a native village (the form a station PC runs)
            // and a village that serves its web front desk too (a station whose clerks work in the browser; native if the
            // villages are), each peak reported apart.
            var processTownship = options.ProcessNodes && townships.Count >= 2 ? townships[1].Id : null;
            var programVillages = options.ProcessNodes ? ProgramVillages(villages, townships) : [];
            var jitVillage = programVillages.ElementAtOrDefault(0);
            var frontDeskVillage = programVillages.ElementAtOrDefault(1);
            var nativeVillage = options.NativeVillages ? programVillages.ElementAtOrDefault(2) : null;
            var programs = new Dictionary<string, string>(StringComparer.Ordinal);
            if (processTownship is not null)
            {
                programs[processTownship] = NodeProgramLocator.Locate("township");
            }

            var nativeProgram = options.NativeVillages && programVillages.Count > 0
                ? await NativeNodeBuild.PublishAsync(AppContext.BaseDirectory, log, ct).ConfigureAwait(false)
                : null;
            foreach (var id in new[] { jitVillage, frontDeskVillage, nativeVillage }.OfType<string>())
            {
                programs[id] = id != jitVillage && nativeProgram is not null ? nativeProgram : NodeProgramLocator.Locate("village");
            }

            // The workload reaches a node program through its Cases service, which signs clerks in: one reviewer per
            // department at each such node, created at the city before any other node starts, so that each pulls its own
            // in its first rounds (in-process nodes are driven through CaseDesk and need none).
            var credentials = new Dictionary<string, ProcessNode.Credentials>(StringComparer.Ordinal);
            foreach (var id in programs.Keys)
            {
                credentials[id] = net.City.AddBenchClerks(id, seed.Departments.Select(d => d.Code));
            }

            var byId = new Dictionary<string, ScaleNode>(StringComparer.Ordinal) { [net.City.Id] = net.City };
            foreach (var level in new[] { townships, villages })
            {
                log($"starting {level.Count} {(level == townships ? "townships" : "villages")}");
                // A few at a time: start-up is CPU-bound and the machine has 2 cores.
                await Parallel.ForEachAsync(level, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (reg, c) =>
                {
                    var parent = byId[reg.ParentId!];
                    ScaleNode node;
                    if (programs.TryGetValue(reg.Id, out var program))
                    {
                        node = await ProcessNode.StartAsync(reg, program, parent.Url, options.DataRoot, options.NodeArgs, credentials[reg.Id], frontDesk: reg.Id == frontDeskVillage, c).ConfigureAwait(false);
                    }
                    else if (reg == villages[0])
                    {
                        // The catch-up village: its link runs through a proxy that can be cut; short breaks so it retries soon after a heal.
                        var link = new LinkProxy(reg.Id, new Uri(parent.Url).Port).Start();
                        var village = await InProcessNode.StartAsync(reg, $"http://127.0.0.1:{link.Port}", options.DataRoot, net.Arrivals,
                            [.. options.NodeArgs, "--Sync:BreakDuration=00:00:01", "--Sync:RetryBaseDelay=00:00:00.200"]).ConfigureAwait(false);
                        net.Cuttable = (village, link);
                        node = village;
                    }
                    else
                    {
                        node = await InProcessNode.StartAsync(reg, parent.Url, options.DataRoot, net.Arrivals, options.NodeArgs).ConfigureAwait(false);
                    }

                    node.Parent = parent;
                    lock (byId)
                    {
                        byId[reg.Id] = node;
                        net._started.Add(node);
                    }
                }).ConfigureAwait(false);

                // Ready when every node of the level holds the catalogue (it came down in its first rounds).
                var items = seed.Items.Count;
                var nodes = net.OfLevel(level[0].Level);
                while (nodes.Any(n => Convergence.CatalogueItems(n) < items))
                {
                    await Task.Delay(200, ct).ConfigureAwait(false);
                }
            }

            net.Items = seed.Items;
            return net;
        }
        catch
        {
            await net.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The seed catalogue's items.</summary>
    public IReadOnlyList<ServiceItem> Items { get; private set; } = [];

    /// <summary>Stops every node (children first) and the link proxy.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_started))
        {
            try
            {
                await node.StopAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
                // stopping anyway
            }
        }

        if (Cuttable is { } c)
        {
            await c.Link.DisposeAsync().ConfigureAwait(false);
        }

        _started.Clear();
    }

    /// <summary>
    /// Up to three villages to run as node programs: the last of the first township, of the last and of the middle one (the
    /// next to last where that one is taken), never the catch-up village (the first).
    /// </summary>
    private static List<string> ProgramVillages(List<RegisteredNode> villages, List<RegisteredNode> townships)
    {
        var picked = new List<string>();
        foreach (var township in new[] { townships[0], townships[^1], townships[townships.Count / 2] })
        {
            if (villages.LastOrDefault(v => v.ParentId == township.Id && v != villages[0] && !picked.Contains(v.Id)) is { } village)
            {
                picked.Add(village.Id);
            }
        }

        return picked;
    }

    /// <summary><paramref name="count"/> villages of <paramref name="townships"/>, round-robin over the townships, in registry order within each.</summary>
    private static List<RegisteredNode> PickVillages(IReadOnlyList<RegisteredNode> registry, List<RegisteredNode> townships, int count)
    {
        var queues = townships.Select(t => new Queue<RegisteredNode>(registry.Where(n => n.ParentId == t.Id))).ToList();
        var picked = new List<RegisteredNode>();
        while (picked.Count < count && queues.Any(q => q.Count > 0))
        {
            foreach (var q in queues.Where(q => q.Count > 0))
            {
                if (picked.Count < count)
                {
                    picked.Add(q.Dequeue());
                }
            }
        }

        if (picked.Count < count)
        {
            throw new ArgumentException($"the chosen townships have {picked.Count} villages in the seed registry; {count} were asked for");
        }

        return picked;
    }
}
