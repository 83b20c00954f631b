using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// Start-up options of a node, bound from the <c>Node</c> section of configuration
/// (appsettings.json, environment variables <c>SERVICEHALL_Node__Id</c> …, or the command line
/// <c>--id</c>, <c>--listen</c>, <c>--upstream</c>, <c>--data</c>, <c>--level</c>).
/// </summary>
public sealed partial class NodeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Node";

    /// <summary>Node id: lower-case letters, digits and '-', 1–32 characters (e.g. <c>city</c>, <c>t01</c>, <c>t01-v01</c>). Required.</summary>
    public string Id { get; set; } = "";

    /// <summary>Level: <c>city</c>, <c>township</c> or <c>village</c>. Fixed by the node program; if given it must match it.</summary>
    public string? Level { get; set; }

    /// <summary>URL the gRPC server listens on, with an explicit port, e.g. <c>http://127.0.0.1:5100</c>. Default <c>http://127.0.0.1:5100</c>.</summary>
    public string ListenUrl { get; set; } = "http://127.0.0.1:5100";

    /// <summary>
    /// Optional second address for the web front desk, HTTP/1.1, e.g. <c>http://127.0.0.1:6100</c>: in cleartext the
    /// listen URL speaks HTTP/2 only (h2c), which browsers do not. Empty = no web address of its own.
    /// </summary>
    public string? WebListenUrl { get; set; }

    /// <summary>URL of the parent node. Required for townships and villages; must be empty at the city.</summary>
    public string? UpstreamUrl { get; set; }

    /// <summary>Directory for the store (<c>&lt;id&gt;.db</c>) and the logs (<c>logs/</c>); created if missing. Required.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>
    /// Allows a cleartext (http) listen URL on an address other than loopback. Off by default:
    /// cleartext is for local development only.
    /// </summary>
    public bool AllowCleartextNonLoopback { get; set; }

    /// <summary>Full path of the SQLite store file.</summary>
    public string StorePath => Path.Combine(Path.GetFullPath(DataDir), Id + ".db");

    /// <summary>Parses <see cref="ListenUrl"/> (valid after validation).</summary>
    public Uri ListenUri => new(ListenUrl);

    /// <summary>Parses <see cref="WebListenUrl"/> (valid after validation); null when there is none.</summary>
    public Uri? WebListenUri => string.IsNullOrWhiteSpace(WebListenUrl) ? null : new(WebListenUrl);

    [GeneratedRegex("^[a-z0-9-]{1,32}$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdPattern();
}

/// <summary>
/// Checks <see cref="NodeOptions"/> for one node program. Every message names the option
/// and how to fix it, because an operator reads it on a console at a village station.
/// </summary>
public sealed class NodeOptionsValidator(NodeLevel programLevel) : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var level = LevelName(programLevel);

        if (string.IsNullOrWhiteSpace(options.Id))
        {
            errors.Add($"Node:Id is missing: pass --id <id> (e.g. --id {ExampleId(programLevel)}).");
        }
        else if (!NodeOptions.IdPattern().IsMatch(options.Id))
        {
            errors.Add($"Node:Id '{options.Id}' is not valid: use 1–32 lower-case letters, digits or '-' (e.g. --id {ExampleId(programLevel)}).");
        }

        if (options.Level is { Length: > 0 } given && !string.Equals(given, level, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Node:Level '{given}' does not match this program, which runs a {level} node: drop --level or start the {given}-node program instead.");
        }

        var listen = CheckListenUrl(options.ListenUrl, "Node:ListenUrl", "--listen", options.AllowCleartextNonLoopback, errors);
        if (!string.IsNullOrWhiteSpace(options.WebListenUrl)
            && CheckListenUrl(options.WebListenUrl, "Node:WebListenUrl", "--web-listen", options.AllowCleartextNonLoopback, errors) is { } web
            && listen is not null && web.Port == listen.Port)
        {
            errors.Add($"Node:WebListenUrl '{options.WebListenUrl}' uses the port of Node:ListenUrl; pass --web-listen with another port (or leave it out).");
        }

        if (programLevel == NodeLevel.City)
        {
            if (!string.IsNullOrWhiteSpace(options.UpstreamUrl))
            {
                errors.Add("Node:UpstreamUrl must be empty for the city node: the city is the root of the network; drop --upstream.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.UpstreamUrl))
        {
            var parent = programLevel == NodeLevel.Township ? "the city" : "its township";
            errors.Add($"Node:UpstreamUrl is required for a {level} node: pass --upstream http://<host>:<port> (the URL of {parent}).");
        }
        else if (!Uri.TryCreate(options.UpstreamUrl, UriKind.Absolute, out var up) || (up.Scheme != Uri.UriSchemeHttp && up.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Node:UpstreamUrl '{options.UpstreamUrl}' is not an http(s) URL: pass --upstream http://<host>:<port>.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Node:DataDir is missing: pass --data <directory> (the node keeps its store and logs there).");
        }
        else if (File.Exists(options.DataDir))
        {
            errors.Add($"Node:DataDir '{options.DataDir}' is a file: pass --data <directory>.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Checks one listen URL (<c>--listen</c> or <c>--web-listen</c>); returns it when it is usable.</summary>
    private static Uri? CheckListenUrl(string? url, string option, string flag, bool allowCleartextNonLoopback, List<string> errors)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var listen) || (listen.Scheme != Uri.UriSchemeHttp && listen.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{option} '{url}' is not an http(s) URL: pass {flag} http://127.0.0.1:<port>.");
        }
        else if (listen.IsDefaultPort && !url!.Contains($":{listen.Port}", StringComparison.Ordinal))
        {
            errors.Add($"{option} '{url}' has no port: pass {flag} {listen.Scheme}://{listen.Host}:<port>.");
        }
        else if (listen.Scheme == Uri.UriSchemeHttps)
        {
            errors.Add($"{option} '{url}' uses https, which this version does not configure yet: use http on a loopback address.");
        }
        else if (!listen.IsLoopback && !allowCleartextNonLoopback)
        {
            errors.Add($"{option} '{url}' is cleartext on a non-loopback address: use 127.0.0.1, or set Node:AllowCleartextNonLoopback=true for a trusted lab network only.");
        }
        else
        {
            return listen;
        }

        return null;
    }

    /// <summary>The configuration spelling of a level.</summary>
    public static string LevelName(NodeLevel level) => level switch
    {
        NodeLevel.City => "city",
        NodeLevel.Township => "township",
        NodeLevel.Village => "village",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    private static string ExampleId(NodeLevel level) => level switch
    {
        NodeLevel.City => "city",
        NodeLevel.Township => "t01",
        _ => "t01-v01",
    };
}
