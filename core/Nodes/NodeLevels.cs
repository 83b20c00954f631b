using V1 = ServiceHall.Protos.V1;

namespace ServiceHall.Core.Nodes;

/// <summary>
/// Every conversion of a <see cref="NodeLevel"/>: its name (as configuration, the store and messages spell it, from
/// <see cref="V1.NodeLevelNames"/>) and the contract's enum.
/// </summary>
public static class NodeLevels
{
    /// <summary>The name of a level: <c>city</c>, <c>township</c> or <c>village</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of the three levels.</exception>
    public static string Name(NodeLevel level) => ToProto(level) is var proto and not V1.NodeLevel.Unspecified
        ? V1.NodeLevelNames.Name(proto)
        : throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown node level.");

    /// <summary>The level a name spells (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? name, out NodeLevel level)
    {
        var parsed = FromProto(V1.NodeLevelNames.Parse(name));
        level = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>Maps the domain's level to the contract's; <see cref="V1.NodeLevel.Unspecified"/> for an unknown value.</summary>
    public static V1.NodeLevel ToProto(NodeLevel level) => level switch
    {
        NodeLevel.City => V1.NodeLevel.City,
        NodeLevel.Township => V1.NodeLevel.Township,
        NodeLevel.Village => V1.NodeLevel.Village,
        _ => V1.NodeLevel.Unspecified,
    };

    /// <summary>Maps the contract's level to the domain's; null for unspecified or unknown values.</summary>
    public static NodeLevel? FromProto(V1.NodeLevel level) => level switch
    {
        V1.NodeLevel.City => NodeLevel.City,
        V1.NodeLevel.Township => NodeLevel.Township,
        V1.NodeLevel.Village => NodeLevel.Village,
        _ => null,
    };
}
