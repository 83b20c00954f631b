namespace ServiceHall.Sync.Engine;

/// <summary>Which way rows of a table travel.</summary>
public enum SyncDirection
{
    /// <summary>Written at the root only and sent down to every child (e.g. the catalogue). A child never pushes them.</summary>
    DownOnly,

    /// <summary>Written at any node; sent up to the parent and down to every child that may hold the row.</summary>
    Both,
}

/// <summary>
/// Declares one synced table. The engine moves whole rows of it, keyed by one text key column.
/// </summary>
/// <param name="Name">Table name in the store.</param>
/// <param name="KeyColumn">Primary key column (text). Keys must be unique across the network (e.g. include the origin node).</param>
/// <param name="Columns">Every column the engine copies, including the key and scope columns.</param>
/// <param name="Direction">Which way rows travel.</param>
/// <param name="ScopeColumn">
/// Column holding the row's hierarchical scope path (e.g. <c>city/t01/t01-v01</c>); a node receives a row
/// only if the row's scope lies inside the node's own scope. Null for a global table that every node holds.
/// </param>
/// <param name="Notify">
/// Whether a change to this table wakes a watching child at once (<c>Watch</c>). False for bookkeeping that a
/// sync contact itself writes (e.g. link health): such rows travel with the next round, or a parent's write
/// after each contact would wake the child, whose round is the next contact, and so on without end.
/// </param>
public sealed record SyncTable(string Name, string KeyColumn, IReadOnlyList<string> Columns, SyncDirection Direction, string? ScopeColumn = null, bool Notify = true)
{
    /// <summary>Position of <see cref="KeyColumn"/> in <see cref="Columns"/>.</summary>
    public int KeyIndex => IndexOf(KeyColumn);

    /// <summary>Position of <see cref="ScopeColumn"/> in <see cref="Columns"/>, or -1 for a global table.</summary>
    public int ScopeIndex => ScopeColumn is null ? -1 : IndexOf(ScopeColumn);

    private int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Table '{Name}' does not list column '{column}' in its columns.");
    }
}

/// <summary>The set of synced tables of a store, with a version both ends of a sync must agree on.</summary>
public sealed class SyncSchema
{
    private readonly Dictionary<string, SyncTable> _byName;

    /// <summary>Creates a schema; table names must be unique.</summary>
    public SyncSchema(int version, IEnumerable<SyncTable> tables)
    {
        Version = version;
        Tables = tables.ToList();
        _byName = Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var t in Tables)
        {
            _ = t.KeyIndex;
            _ = t.ScopeIndex;
        }
    }

    /// <summary>Version of the synced table shapes; a peer with another version is refused.</summary>
    public int Version { get; }

    /// <summary>Declared tables, in dependency order (parents before children) for apply.</summary>
    public IReadOnlyList<SyncTable> Tables { get; }

    /// <summary>Looks up a table by name.</summary>
    public bool TryGet(string name, out SyncTable table) => _byName.TryGetValue(name, out table!);

    /// <summary>The table with this name; throws if it is not declared.</summary>
    public SyncTable this[string name] => _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"Table '{name}' is not declared in the sync schema.");
}

/// <summary>Hierarchical scope paths: <c>city</c> ⊃ <c>city/t01</c> ⊃ <c>city/t01/t01-v01</c>.</summary>
public static class Scope
{
    /// <summary>True if <paramref name="rowScope"/> lies inside <paramref name="nodeScope"/>; a null or empty row scope is global (inside every scope).</summary>
    public static bool Contains(string nodeScope, string? rowScope)
    {
        if (string.IsNullOrEmpty(rowScope))
        {
            return true;
        }

        if (rowScope.Length == nodeScope.Length)
        {
            return string.Equals(rowScope, nodeScope, StringComparison.Ordinal);
        }

        return rowScope.Length > nodeScope.Length
            && rowScope.StartsWith(nodeScope, StringComparison.Ordinal)
            && rowScope[nodeScope.Length] == '/';
    }
}
