using System.CommandLine;
using System.CommandLine.Parsing;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary>Options shared by several command groups, so that they read and validate the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>Level names as the CLI prints and accepts them.</summary>
    public static readonly string[] LevelNames = [.. NodeLevelNames.All];

    /// <summary><c>--node URL</c>: the node to talk to; required, an absolute http(s) URL.</summary>
    public static Option<Uri> Node() => new("--node")
    {
        Description = "URL of the node, e.g. http://127.0.0.1:5100",
        Required = true,
        CustomParser = ParseNodeUrl,
    };

    /// <summary><c>--json</c>: machine-readable output (camelCase JSON on stdout).</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print camelCase JSON instead of a table",
    };

    /// <summary>Parses and validates a node URL; adds a parse error that says what is expected.</summary>
    internal static Uri? ParseNodeUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (TryParseNodeUrl(text, out var uri, out var error))
        {
            return uri;
        }

        result.AddError(error);
        return null;
    }

    /// <summary>Accepts absolute http:// or https:// URLs with a host; explains what is wrong otherwise.</summary>
    internal static bool TryParseNodeUrl(string text, out Uri? uri, out string error)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host))
        {
            error = string.Empty;
            return true;
        }

        uri = null;
        error = $"--node '{text}' is not a node URL: give an absolute http(s) URL such as http://127.0.0.1:5100.";
        return false;
    }
}
