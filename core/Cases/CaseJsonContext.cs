using System.Text.Json.Serialization;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The stored JSON form of an event's payload (<c>case_events.payload</c>): camel case, nulls left out, enums as their
/// names. Generated at build time rather than reflected at run time, so a node does not emit and JIT serializer code for
/// it at start (a village's resident set) and every node writes the same bytes for the same payload.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(CaseEventData))]
internal sealed partial class CaseJsonContext : JsonSerializerContext;
