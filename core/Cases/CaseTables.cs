using ServiceHall.Sync.Engine;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The synced case tables: <c>cases</c> (headers) and <c>case_events</c> (history), both travelling both ways inside
/// the case's scope (the intake node's scope path): up to the deciding level and back down to the intake node.
/// <c>case_view</c> and <c>case_counters</c> are local and not declared here.
/// </summary>
public static class CaseTables
{
    /// <summary>Name of the header table.</summary>
    public const string Cases = "cases";

    /// <summary>Name of the history table.</summary>
    public const string Events = "case_events";

    /// <summary>Case headers, keyed by case number.</summary>
    public static SyncTable CasesTable { get; } = new(
        Cases,
        "number",
        ["number", "item_code", "applicant_name", "id_number", "phone", "intake_node", "scope", "submitted_at", "channel"],
        SyncDirection.Both,
        "scope");

    /// <summary>Case events, keyed by event id; the scope is the case's.</summary>
    public static SyncTable EventsTable { get; } = new(
        Events,
        "id",
        ["id", "case_number", "kind", "node_id", "actor_user", "actor_department", "at", "order_key", "payload", "scope"],
        SyncDirection.Both,
        "scope");

    /// <summary>Both synced case tables, headers before events.</summary>
    public static IReadOnlyList<SyncTable> All { get; } = [CasesTable, EventsTable];
}
