using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Output;

/// <summary>The level names the CLI prints and accepts (<c>city</c>, <c>township</c>, <c>village</c>), spelled once in <see cref="NodeLevelNames"/>.</summary>
internal static class Levels
{
    /// <summary>Name of a level; "unspecified" when a node did not say.</summary>
    public static string Name(NodeLevel level) => NodeLevelNames.Name(level);

    /// <summary>Level from its name (case-insensitive); <see cref="NodeLevel.Unspecified"/> if unknown.</summary>
    public static NodeLevel Parse(string? name) => NodeLevelNames.Parse(name);
}
