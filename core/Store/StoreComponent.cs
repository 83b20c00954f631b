using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// A part of the program that owns tables in the node's store (the sync engine, the domain …)
/// and the versioned migrations that create them, for every store provider. Registered in DI; the node
/// applies every component's migrations for its provider at start-up, before it serves anything.
/// </summary>
/// <param name="Migrations">Its migrations per provider, numbered 1..n.</param>
public sealed record StoreComponent(MigrationSet Migrations)
{
    /// <summary>Component name recorded in <c>_schema_versions</c>.</summary>
    public string Name => Migrations.Component;

    /// <summary>
    /// The statements the component's code sends besides its migrations, in a dialect (none unless given), so that the
    /// parser test checks the SQL Server spelling of every statement of every registered component.
    /// </summary>
    public Func<SqlDialect, IEnumerable<StoreStatement>> Statements { get; init; } = _ => [];
}
