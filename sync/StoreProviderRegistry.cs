using ServiceHall.Sync.Store;
using ServiceHall.Sync.Store.Sqlite;

namespace ServiceHall.Sync;

/// <summary>
/// The store providers one node program can use: SQLite, built in (a file in the node's data directory), and the
/// server-based providers the program adds. A program that does not add a provider does not reference its assembly
/// at all: the village program has no SQL Server provider, so its output carries no SQL Server client.
/// </summary>
/// <remarks>
/// Part of the composition root (this namespace), not of <c>ServiceHall.Sync.Store</c>: it builds the SQLite provider
/// (<c>Store.Sqlite</c>), which derives from the store boundary, so the boundary itself must not name it.
/// </remarks>
public sealed class StoreProviderRegistry
{
    private readonly Dictionary<string, StoreProviderDescriptor> _added = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>SQLite and <paramref name="added"/>.</summary>
    /// <exception cref="ArgumentException">Two providers of one name, or one named <c>sqlite</c>.</exception>
    public StoreProviderRegistry(params IEnumerable<StoreProviderDescriptor> added)
    {
        ArgumentNullException.ThrowIfNull(added);
        foreach (var provider in added)
        {
            if (string.Equals(provider.Name, StoreProviders.Sqlite, StringComparison.OrdinalIgnoreCase) || !_added.TryAdd(provider.Name, provider))
            {
                throw new ArgumentException($"Store provider '{provider.Name}' is registered twice.", nameof(added));
            }
        }

        Names = [StoreProviders.Sqlite, .. _added.Keys];
    }

    /// <summary>Every provider name this program knows, SQLite first, for messages.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>True if <paramref name="name"/> names a known provider (case-insensitive).</summary>
    public bool IsKnown(string? name) => Names.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);

    /// <summary>The added (server-based) provider <paramref name="name"/>, or null for SQLite and for a provider this program lacks.</summary>
    public StoreProviderDescriptor? Find(string? name) => _added.GetValueOrDefault(name ?? "");

    /// <summary>
    /// Creates the provider <paramref name="name"/>: SQLite in the file <paramref name="sqlitePath"/>, or an added provider in
    /// the database named by <paramref name="connectionString"/>. Nothing is opened yet.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown provider name, or a connection string the provider cannot use.</exception>
    public StoreProvider Create(string name, string? connectionString, string sqlitePath)
    {
        if (string.Equals(name, StoreProviders.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteStoreProvider(sqlitePath);
        }

        return Find(name) is { } provider
            ? provider.Create(connectionString ?? "")
            : throw new ArgumentException($"Unknown store provider '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
    }
}
