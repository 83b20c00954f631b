using ServiceHall.Cli.Devnet;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Bench.Scale;

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
            var processTownship = options.ProcessNodes && townships.Count >= 2 ? townships[1].Id : null;
            var processVillage = options.ProcessNodes ? villages.LastOrDefault(v => v.ParentId == townships[0].Id && v != villages[0])?.Id : null;
            // A second village program serves its web front desk too (a station whose clerks work in the browser): its
            // peak is reported apart, since the pages and their sign-in stack (cookies, anti-forgery, data protection) add about 17 MiB.
            var frontDeskVillage = options.ProcessNodes ? villages.LastOrDefault(v => v.ParentId == townships[^1].Id && v != villages[0] && v.Id != processVillage)?.Id : null;

            // The workload reaches a node program through its Cases service, which signs clerks in: one reviewer per
            // department at each such node, created at the city before any other node starts, so that each pulls its own
            // in its first rounds (in-process nodes are driven through CaseDesk and need none).
            var credentials = new Dictionary<string, ProcessNode.Credentials>(StringComparer.Ordinal);
            foreach (var id in new[] { processTownship, processVillage, frontDeskVillage }.OfType<string>())
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
                    if (reg.Id == processTownship || reg.Id == processVillage || reg.Id == frontDeskVillage)
                    {
                        node = await ProcessNode.StartAsync(reg, parent.Url, options.DataRoot, options.NodeArgs, credentials[reg.Id], frontDesk: reg.Id == frontDeskVillage, c).ConfigureAwait(false);
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
