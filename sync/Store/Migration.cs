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

/// <summary>
/// The migrations of one store component for every provider it supports. Each provider's steps carry the same
/// numbers and names (step 2 on SQLite is step 2 on SQL Server), so a store's recorded version means the same
/// schema whatever it runs on; only the SQL differs.
/// </summary>
public sealed class MigrationSet
{
    private readonly Dictionary<string, IReadOnlyList<Migration>> _byProvider;

    /// <summary>Creates the set of <paramref name="component"/>.</summary>
    /// <param name="component">Component name recorded in <c>_schema_versions</c>.</param>
    /// <param name="byProvider">Steps per provider name (<c>sqlite</c>, <c>sqlserver</c>).</param>
    public MigrationSet(string component, IReadOnlyDictionary<string, IReadOnlyList<Migration>> byProvider)
    {
        ArgumentNullException.ThrowIfNull(byProvider);
        Component = component;
        _byProvider = new Dictionary<string, IReadOnlyList<Migration>>(byProvider, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Component name.</summary>
    public string Component { get; }

    /// <summary>Providers that have steps for this component.</summary>
    public IReadOnlyCollection<string> Providers => _byProvider.Keys;

    /// <summary>The steps for <paramref name="provider"/>.</summary>
    /// <exception cref="InvalidOperationException">The component has no steps for that provider.</exception>
    public IReadOnlyList<Migration> For(string provider) =>
        _byProvider.TryGetValue(provider, out var steps)
            ? steps
            : throw new InvalidOperationException($"Store component '{Component}' has no migrations for store provider '{provider}' (it has: {string.Join(", ", _byProvider.Keys)}).");
}
