using Grpc.Core;
using Grpc.Net.Client;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Devnet;

/// <summary>
/// The clerks of a devnet, created at the city with its first administrator (from the city's own
/// <c>clerks.json</c>) and written with their secrets to <c>DIR/clerks.json</c>, the profile the CLI reads by default:
/// per node a window clerk (<c>window@NODE</c>, department ADM) and an operator (<c>operator@NODE</c>), and per node a
/// reviewer for every department that leads or reviews an item decided at that node's level (<c>mkt@city</c>,
/// <c>vc@t01-v01</c>, …), so every command of the CLI works without flags.
/// </summary>
internal static class DevnetClerks
{
    /// <summary>Department of window clerks and operators: the hall's own administration (行政审批).</summary>
    public const string HallDepartment = "ADM";

    /// <summary>The first administrator, as the city wrote it into its data directory at its first start.</summary>
    public static ClerkCredential ReadAdministrator(string cityDataDir)
    {
        var city = ClerkProfile.Load(cityDataDir);
        return city?.Clerks.FirstOrDefault(c => c.Role == "administrator")
            ?? throw new DevnetStartException($"the city wrote no administrator credential to {Path.Combine(cityDataDir, ClerkProfile.FileName)}; was its store created by another program?");
    }

    /// <summary>The clerks a devnet of <paramref name="plan"/> gets, without secrets.</summary>
    public static IReadOnlyList<(string Id, string Node, string Department, ClerkRole Role)> Plan(IReadOnlyList<DevnetNodeSpec> plan, IReadOnlyList<ServiceItem> items)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(items);
        var result = new List<(string, string, string, ClerkRole)>();
        foreach (var node in plan)
        {
            result.Add(($"window@{node.Id}", node.Id, HallDepartment, ClerkRole.Window));
            result.Add(($"operator@{node.Id}", node.Id, HallDepartment, ClerkRole.Operator));
            var level = Levels.Parse(node.Level);
            var departments = items.Where(i => i.HandlingLevel == level)
                .SelectMany(i => i.ReviewDepartments.Prepend(i.LeadDepartment))
                .Where(d => !string.IsNullOrEmpty(d))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            result.AddRange(departments.Select(d => ($"{d.ToLowerInvariant()}@{node.Id}", node.Id, d, ClerkRole.Reviewer)));
        }

        return result;
    }

    /// <summary>
    /// Creates at the city every planned clerk that <paramref name="existing"/> (the devnet's profile from an earlier
    /// run) lacks, with a fresh secret (a clerk the city has but the profile lost gets a new secret), and returns the
    /// profile to save: the administrator as default, every node's URL, every clerk.
    /// </summary>
    public static async Task<ClerkProfile> EnsureAsync(
        GrpcChannel city, ClerkCredential admin, IReadOnlyList<DevnetNodeSpec> plan, ClerkProfile? existing, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var deadline = () => NodeChannel.Deadline(time, NodeChannel.CallTimeout);
        var items = (await new Catalogue.CatalogueClient(city).ListItemsAsync(new ListItemsRequest(), deadline: deadline(), cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
        var clerks = new Clerks.ClerksClient(city);
        var profile = new ClerkProfile { Default = admin.Id };
        profile.Clerks.Add(admin);
        foreach (var n in plan)
        {
            profile.Nodes[n.Id] = n.Url;
        }

        foreach (var (id, node, department, role) in Plan(plan, items))
        {
            if (existing?.Find(id) is { } kept && kept.Node == node)
            {
                profile.Clerks.Add(kept);
                continue;
            }

            var secret = ClerkCredential.NewSecret();
            try
            {
                await clerks.AddClerkAsync(
                    new AddClerkRequest { Id = id, NodeId = node, Department = department, Role = role, Name = id, Secret = secret },
                    admin.Headers, deadline(), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                await clerks.ResetClerkSecretAsync(new ResetClerkSecretRequest { Id = id, Secret = secret }, admin.Headers, deadline(), cancellationToken).ConfigureAwait(false);
            }

            profile.Clerks.Add(new ClerkCredential(id, secret, node, department, Roles.Name(role)));
        }

        return profile;
    }

    /// <summary>
    /// Waits until <paramref name="node"/> signs <paramref name="clerk"/> in (it holds the clerk once its first sync
    /// has pulled the registry from its parent); false if it does not within <paramref name="bound"/>.
    /// </summary>
    public static async Task<bool> WaitSignedInAsync(GrpcChannel node, ClerkCredential clerk, TimeSpan bound, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clerk);
        var start = time.GetTimestamp();
        var client = new Clerks.ClerksClient(node);
        while (true)
        {
            try
            {
                await client.WhoAmIAsync(new WhoAmIRequest(), clerk.Headers, NodeChannel.Deadline(time, NodeChannel.CallTimeout), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated && time.GetElapsedTime(start) < bound)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return false;
            }
        }
    }
}
