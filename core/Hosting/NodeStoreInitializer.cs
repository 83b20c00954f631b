using Microsoft.Extensions.Logging;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// Opens the node's store (SQLite or SQL Server) and brings every registered component's schema up to date.
/// Runs before the server starts: a store the program cannot use stops the node with a message.
/// </summary>
public static partial class NodeStoreInitializer
{
    /// <summary>The health check's trivial query (the store answers).</summary>
    public const string HealthProbe = "SELECT 1";

    /// <summary>Checks that the store can be reached, applies migrations; returns the versions now recorded.</summary>
    /// <exception cref="StoreUnavailableException">The store cannot be reached.</exception>
    public static IReadOnlyDictionary<string, int> Migrate(StoreProvider store, IEnumerable<StoreComponent> components, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.EnsureReachable();
        foreach (var component in components)
        {
            var before = Migrator.ReadVersions(store).GetValueOrDefault(component.Name);
            var after = Migrator.Apply(store, component.Migrations, time);
            if (after != before)
            {
                LogMigrated(logger, component.Name, before, after, store.Location);
            }
        }

        return Migrator.ReadVersions(store);
    }

    /// <summary>Scope path of the root node: its own id.</summary>
    public static string RootScope(NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Level == NodeLevel.City ? identity.NodeId : throw new InvalidOperationException("Only the city is a root.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated store component {Component} from version {From} to {To} in {Store}")]
    private static partial void LogMigrated(ILogger logger, string component, int from, int to, string store);
}
