using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Catalogue;

/// <summary>
/// The catalogue tables as the sync engine sees them: written at the city only and sent down to
/// every node (<see cref="SyncDirection.DownOnly"/>), global (no scope column), in the order the
/// engine applies them. Column lists follow <c>core/Store/Migrations/0001_catalogue.sql</c>.
/// </summary>
public static class CatalogueTables
{
    /// <summary>Departments (部门).</summary>
    public static SyncTable Departments { get; } = new("departments", "code", ["code", "name", "name_en"], SyncDirection.DownOnly);

    /// <summary>Service items (事项) with their service guide (办事指南).</summary>
    public static SyncTable Items { get; } = new(
        "items",
        "code",
        [
            "code", "name", "name_en", "category", "lead_department", "handling_level", "legal_basis", "conditions",
            "materials", "legal_limit_days", "promised_limit_days", "fees", "review_departments", "review_rule",
            "on_the_spot", "silent_consent", "review_limit_days", "service_location", "phone", "online_pre_review",
        ],
        SyncDirection.DownOnly);

    /// <summary>Working-calendar exceptions (放假 / 调休上班), keyed by ISO date.</summary>
    public static SyncTable CalendarDays { get; } = new("calendar_days", "date", ["date", "working", "name"], SyncDirection.DownOnly);

    /// <summary>The node registry.</summary>
    public static SyncTable Nodes { get; } = new("nodes", "id", ["id", "level", "parent_id", "name", "scope"], SyncDirection.DownOnly);

    /// <summary>Intermediary agencies (中介机构).</summary>
    public static SyncTable Agencies { get; } = new("agencies", "code", ["code", "name", "service"], SyncDirection.DownOnly);

    /// <summary>Every catalogue table, departments first (items name them), in apply order.</summary>
    public static IReadOnlyList<SyncTable> All { get; } = [Departments, Items, CalendarDays, Nodes, Agencies];
}
