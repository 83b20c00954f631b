using System.Globalization;
using Grpc.Core;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Devnet;

/// <summary><c>devnet up</c>, at the city and after each tier starts: registration, clerks, sign-in, identity, first sync.</summary>
internal sealed partial class DevnetUp
{
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
                $"node {node.Spec.Id} does not know its clerks after {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s: its first sync with {node.Spec.UpstreamUrl} has not succeeded; see its log {node.Launch.ConsoleLog}{LogTail.Of(node.Launch.ConsoleLog)}");
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
}
