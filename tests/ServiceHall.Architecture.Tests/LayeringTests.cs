namespace ServiceHall.Architecture.Tests;

/// <summary>
/// The inner direction of core and sync, as docs/ARCHITECTURE.md draws it: the domain knows nothing of how it is served
/// (gRPC services in <c>Api</c>, host plumbing in <c>Hosting</c>), node identity knows nothing of the domain, and the sync
/// engine and its store boundary know nothing of the transport.
/// </summary>
public sealed class LayeringTests
{
    public static TheoryData<string, string, string> Rules() => new()
    {
        // core: the domain folders import neither the gRPC surface nor the host.
        { "ServiceHall.Core", "ServiceHall.Core.Calendar", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Calendar", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Catalogue", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Catalogue", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Cases", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Cases", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Clerks", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Clerks", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Network", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Network", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Security", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Security", "ServiceHall.Core.Hosting" },
        { "ServiceHall.Core", "ServiceHall.Core.Store", "ServiceHall.Core.Api" },
        { "ServiceHall.Core", "ServiceHall.Core.Store", "ServiceHall.Core.Hosting" },
        // core: who a node is (identity, level, clock) needs nothing else of core.
        { "ServiceHall.Core", "ServiceHall.Core.Nodes", "ServiceHall.Core" },
        // core: the gRPC surface is served by the host, never the other way round through the domain.
        { "ServiceHall.Core", "ServiceHall.Core.Api", "ServiceHall.Core.Hosting" },
        // sync: the engine and the store boundary know nothing of gRPC calls, streams or retries.
        { "ServiceHall.Sync", "ServiceHall.Sync.Engine", "ServiceHall.Sync.Transport" },
        { "ServiceHall.Sync", "ServiceHall.Sync.Store", "ServiceHall.Sync.Transport" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void ANamespaceDoesNotUseWhatLiesOutsideItsDirection(string assembly, string from, string forbidden)
    {
        var graph = NamespaceGraph.Read(assembly, Repository.Assembly(assembly));
        var sources = graph.Namespaces.Where(ns => Within(ns, from)).ToList();
        Assert.True(sources.Count > 0, $"{assembly} has no namespace {from}: the rule names a folder that is not there.");

        var offending = sources
            .SelectMany(ns => graph.UsesOf(ns).Where(use => Within(use.Key, forbidden) && !Within(use.Key, from))
                .Select(use => $"  {ns} → {use.Key}   (e.g. {use.Value})"))
            .ToList();

        Assert.True(offending.Count == 0, $"{from} must not use {forbidden}:\n{string.Join('\n', offending)}");
    }

    private static bool Within(string ns, string prefix) =>
        ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);
}
