using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceHall.Cli.Output;

/// <summary>The JSON the CLI prints with <c>--json</c> and writes to devnet.json: camelCase, indented, nulls kept.</summary>
internal static class JsonOutput
{
    /// <summary>Options shared by every JSON the CLI reads or writes.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises <paramref name="value"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes <paramref name="value"/> to stdout followed by a newline.</summary>
    public static void Write<T>(T value) => Console.Out.WriteLine(Serialize(value));
}
