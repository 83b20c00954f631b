using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// The store was reached and migrated, but the sync engine and the domain repositories of this version run on SQLite
/// only: a node on another provider stops here instead of failing its first request.
/// </summary>
public sealed class StoreNotSupportedException(StoreProvider store)
    : Exception($"The {store.Name} store {store.Location} is migrated, but this version runs the sync engine and the case " +
                "and catalogue repositories on SQLite only: start the node with --store sqlite (see docs/OPERATIONS.md).");
