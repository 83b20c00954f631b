namespace ServiceHall.Sync.Store;

/// <summary>One versioned schema step of a store component.</summary>
/// <param name="Version">Version the store has after this step; steps of one component are numbered 1, 2, 3 …</param>
/// <param name="Name">Short description, recorded in the store.</param>
/// <param name="Sql">The statements, run in one transaction.</param>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>The store holds a schema newer than this program knows; it is left untouched.</summary>
public sealed class StoreSchemaTooNewException(string component, int storeVersion, int knownVersion, string location)
    : Exception($"The store at {location} has schema version {storeVersion} of component '{component}', " +
                $"but this program knows only up to version {knownVersion}. The store was written by a newer ServiceHall; " +
                "upgrade this node's program to that version (the store was not modified).")
{
    /// <summary>Component whose version is too new.</summary>
    public string Component { get; } = component;

    /// <summary>Version found in the store.</summary>
    public int StoreVersion { get; } = storeVersion;

    /// <summary>Highest version this program knows.</summary>
    public int KnownVersion { get; } = knownVersion;
}
