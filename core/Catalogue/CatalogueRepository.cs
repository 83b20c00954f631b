using System.Data.Common;
using System.Text.RegularExpressions;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Catalogue;

/// <summary>Outcome of <see cref="CatalogueRepository.RegisterNode"/>.</summary>
/// <param name="Node">The node as registered.</param>
/// <param name="Created">False if the node was already registered with the same level and parent.</param>
public sealed record NodeRegistration(RegisteredNode Node, bool Created);

/// <summary>
/// The catalogue held in this node's store: reads at every node, and the node registry's one write
/// (<see cref="RegisterNode"/>) at the city. Writes go through <see cref="SyncStore.BeginWrite"/> so they
/// are captured for sync.
/// </summary>
public sealed partial class CatalogueRepository
{
    /// <summary>Longest display name accepted for a node.</summary>
    public const int MaxNodeNameLength = 100;

    private readonly SyncStore _store;
    private readonly NodeIdentity _node;

    /// <summary>Creates the repository over this node's engine.</summary>
    public CatalogueRepository(SyncStore store, NodeIdentity node)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _node = node ?? throw new ArgumentNullException(nameof(node));
    }

    /// <summary>The node whose store this is.</summary>
    public NodeIdentity Node => _node;

    /// <summary>Service items ordered by code; only those decided at <paramref name="level"/> when given.</summary>
    public IReadOnlyList<ServiceItem> ListItems(NodeLevel? level = null) =>
        level is null
            ? Query(Sql.ItemsAll, CatalogueRows.ReadItem)
            : Query(Sql.ItemsAtLevel, CatalogueRows.ReadItem, NodeLevels.Name(level.Value));

    /// <summary>One item by code, or null if the catalogue has none with that code.</summary>
    public ServiceItem? GetItem(string code) =>
        Query(Sql.ItemByCode, CatalogueRows.ReadItem, code).SingleOrDefault();

    /// <summary>Departments ordered by code.</summary>
    public IReadOnlyList<Department> ListDepartments() =>
        Query(Sql.DepartmentsAll, CatalogueRows.ReadDepartment);

    /// <summary>Working-calendar exceptions ordered by date; only those of <paramref name="year"/> when given.</summary>
    public IReadOnlyList<CalendarDay> GetCalendar(int? year = null)
    {
        if (year is null)
        {
            return Query(Sql.CalendarAll, CatalogueRows.ReadCalendarDay);
        }

        if (year is < 1 or > 9998)
        {
            throw new ArgumentOutOfRangeException(nameof(year), year, "A calendar year lies between 1 and 9998.");
        }

        // ISO dates compare as text: the year is the range [Jan 1, Jan 1 of the next year).
        return Query(
            Sql.CalendarBetween,
            CatalogueRows.ReadCalendarDay,
            CatalogueRows.DateText(new DateOnly(year.Value, 1, 1)),
            CatalogueRows.DateText(new DateOnly(year.Value + 1, 1, 1)));
    }

    /// <summary>Every registered node, ordered by scope (so each parent comes before its children).</summary>
    public IReadOnlyList<RegisteredNode> ListNodes() =>
        Query(Sql.NodesAll, CatalogueRows.ReadNode);

    /// <summary>One node by id, or null if it is not registered.</summary>
    public RegisteredNode? GetNode(string id) =>
        Query(Sql.NodeById, CatalogueRows.ReadNode, id).SingleOrDefault();

    /// <summary>The nodes whose parent is <paramref name="parentId"/>, ordered by id.</summary>
    public IReadOnlyList<RegisteredNode> GetChildren(string parentId) =>
        Query(Sql.NodesByParent, CatalogueRows.ReadNode, parentId);

    /// <summary>Intermediary agencies ordered by code.</summary>
    public IReadOnlyList<Agency> ListAgencies() =>
        Query(Sql.AgenciesAll, CatalogueRows.ReadAgency);

    /// <summary>One intermediary agency by code, or null if the catalogue does not hold it.</summary>
    public Agency? GetAgency(string code) =>
        Query(Sql.AgencyByCode, CatalogueRows.ReadAgency, code).SingleOrDefault();

    /// <summary>
    /// Adds a township or village to the node registry (city only). The scope is the parent's scope plus
    /// <c>/id</c>. Registering a node again with the same level and parent changes nothing but its name
    /// (if given a new one) and returns <c>Created = false</c>; moving a registered node to another parent
    /// or level is refused, because its rows would change partition under every peer.
    /// </summary>
    /// <exception cref="CatalogueException">
    /// <see cref="CatalogueErrorKind.FailedPrecondition"/> at a node that is not the city, or for a node
    /// registered differently; <see cref="CatalogueErrorKind.InvalidArgument"/> for a bad id, level, parent or name.
    /// </exception>
    public NodeRegistration RegisterNode(string id, NodeLevel level, string parentId, string name)
    {
        if (_node.Level != NodeLevel.City)
        {
            throw new CatalogueException(CatalogueErrorKind.FailedPrecondition, $"Nodes are registered at the city; this node ({_node.NodeId}) is a {NodeLevels.Name(_node.Level)}.");
        }

        if (!IsValidNodeId(id))
        {
            throw new CatalogueException(CatalogueErrorKind.InvalidArgument, $"Node id '{Shorten(id)}' is not 1–32 lower-case letters, digits or '-'.");
        }

        if (level is not (NodeLevel.Township or NodeLevel.Village))
        {
            throw new CatalogueException(CatalogueErrorKind.InvalidArgument, $"Only a township or a village can be registered, not level {level}.");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNodeNameLength)
        {
            throw new CatalogueException(CatalogueErrorKind.InvalidArgument, $"Node name must be 1–{MaxNodeNameLength} characters.");
        }

        if (string.IsNullOrEmpty(parentId))
        {
            throw new CatalogueException(CatalogueErrorKind.InvalidArgument, "Parent id is required.");
        }

        name = name.Trim();
        var expectedParentLevel = level == NodeLevel.Township ? NodeLevel.City : NodeLevel.Township;
        using var tx = _store.BeginWrite();

        // Read inside the write transaction: two operators registering the same node cannot both create it.
        var parent = ReadNode(tx, parentId)
            ?? throw new CatalogueException(CatalogueErrorKind.InvalidArgument, $"Parent '{Shorten(parentId)}' is not a registered node.");
        if (parent.Level != expectedParentLevel)
        {
            throw new CatalogueException(
                CatalogueErrorKind.InvalidArgument,
                $"The parent of a {NodeLevels.Name(level)} is a {NodeLevels.Name(expectedParentLevel)}; '{parent.Id}' is a {NodeLevels.Name(parent.Level)}.");
        }

        var node = new RegisteredNode(id, level, parent.Id, name, parent.Scope + "/" + id);
        var existing = ReadNode(tx, id);
        if (existing is not null)
        {
            if (existing.Level != level || !string.Equals(existing.ParentId, parent.Id, StringComparison.Ordinal))
            {
                throw new CatalogueException(
                    CatalogueErrorKind.FailedPrecondition,
                    $"Node '{id}' is already registered as a {NodeLevels.Name(existing.Level)} under '{existing.ParentId}'; a node cannot move.");
            }

            if (!string.Equals(existing.Name, name, StringComparison.Ordinal))
            {
                tx.Upsert(CatalogueTables.Nodes.Name, CatalogueRows.Values(existing with { Name = name }));
                tx.Commit();
            }

            return new NodeRegistration(existing with { Name = name }, Created: false);
        }

        tx.Upsert(CatalogueTables.Nodes.Name, CatalogueRows.Values(node));
        tx.Commit();
        return new NodeRegistration(node, Created: true);
    }

    /// <summary>True if <paramref name="id"/> is a well-formed node id: 1–32 lower-case letters, digits or '-'.</summary>
    public static bool IsValidNodeId(string? id) => !string.IsNullOrEmpty(id) && NodeIdPattern().IsMatch(id);

    /// <summary>The registered node <paramref name="id"/> as read inside an open write transaction, or null.</summary>
    internal static RegisteredNode? ReadNode(SyncWriteTransaction tx, string id)
    {
        using var cmd = tx.Command(CatalogueSql.For(tx.Dialect).NodeById).With("@p", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? CatalogueRows.ReadNode(r) : null;
    }

    /// <summary>The domain's statements in the store's dialect.</summary>
    private CatalogueSql Sql => CatalogueSql.For(_store.Store.Dialect);

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, string? p = null, string? q = null)
    {
        using var conn = _store.Store.Open();
        using var cmd = conn.Command(sql);
        if (p is not null)
        {
            cmd.With("@p", p);
        }

        if (q is not null)
        {
            cmd.With("@q", q);
        }

        using var r = cmd.ExecuteReader();
        var result = new List<T>();
        while (r.Read())
        {
            result.Add(read(r));
        }

        return result;
    }

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "…";

    // \z, not $: $ also matches before a trailing newline, which would let "t01\n" through.
    [GeneratedRegex(@"^[a-z0-9-]{1,32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NodeIdPattern();
}
