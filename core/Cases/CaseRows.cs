using System.Globalization;
using System.Text.Json;
using System.Data.Common;

namespace ServiceHall.Core.Cases;

/// <summary>Maps case headers and events to and from rows of <c>cases</c> and <c>case_events</c>.</summary>
internal static class CaseRows
{
    public const string HeaderColumns = "number, item_code, applicant_name, id_number, phone, intake_node, scope, submitted_at, channel";

    public const string EventColumns = "id, case_number, kind, node_id, actor_user, actor_department, at, order_key, payload, scope";

    public static object?[] HeaderValues(CaseHeader h) =>
    [
        h.Number, h.ItemCode, h.ApplicantName, h.IdNumber, h.Phone, h.IntakeNode, h.IntakeScope,
        h.SubmittedAt.ToString("O", CultureInfo.InvariantCulture), h.Channel.ToString(),
    ];

    public static object?[] EventValues(CaseEvent e, string scope) =>
    [
        e.Id, e.CaseNumber, e.Kind.ToString(), e.NodeId, e.Actor.UserId, e.Actor.Department,
        e.At.ToString("O", CultureInfo.InvariantCulture), e.Order, JsonSerializer.Serialize(e.Data, CaseJsonContext.Default.CaseEventData), scope,
    ];

    public static CaseHeader ReadHeader(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.GetString(6),
        DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture), Enum.Parse<CaseChannel>(r.GetString(8)));

    public static CaseEvent ReadEvent(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), Enum.Parse<CaseEventKind>(r.GetString(2)), r.GetString(3), new CaseActor(r.GetString(4), r.GetString(5)),
        DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture), r.GetInt64(7),
        ReadPayload(r.GetString(8)));

    public static CaseEventData ReadPayload(string json) => JsonSerializer.Deserialize(json, CaseJsonContext.Default.CaseEventData) ?? CaseEventData.None;

    public static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;

    public static string? Time(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);
}
