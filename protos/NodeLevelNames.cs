namespace ServiceHall.Protos.V1;

/// <summary>
/// The one spelling of the node levels (<c>city</c>, <c>township</c>, <c>village</c>): in configuration, in the store, on the
/// command line and in messages. Core's <c>NodeLevels</c> and the CLI both read it from here.
/// </summary>
public static class NodeLevelNames
{
    /// <summary>Every level name, top down.</summary>
    public static IReadOnlyList<string> All { get; } = ["city", "township", "village"];

    /// <summary>The levels <see cref="All"/> names, in its order.</summary>
    private static readonly NodeLevel[] Levels = [NodeLevel.City, NodeLevel.Township, NodeLevel.Village];

    /// <summary>Name of a level; "unspecified" when it is not one of the three.</summary>
    public static string Name(NodeLevel level) => Array.IndexOf(Levels, level) is var i and >= 0 ? All[i] : "unspecified";

    /// <summary>Level from its name (case-insensitive); <see cref="NodeLevel.Unspecified"/> if unknown.</summary>
    public static NodeLevel Parse(string? name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(name, All[i], StringComparison.OrdinalIgnoreCase))
            {
                return Levels[i];
            }
        }

        return NodeLevel.Unspecified;
    }
}
