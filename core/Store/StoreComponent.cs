using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// A part of the program that owns tables in the node's store (the sync engine, the domain …)
/// and the versioned migrations that create them. Registered in DI; the node applies every
/// component's migrations at start-up, before it serves anything.
/// </summary>
/// <param name="Name">Component name recorded in <c>_schema_versions</c>.</param>
/// <param name="Migrations">Its migrations, numbered 1..n.</param>
public sealed record StoreComponent(string Name, IReadOnlyList<Migration> Migrations);
