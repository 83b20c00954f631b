using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Hosting;

/// <summary>
/// Start-up options of a node, bound from the <c>Node</c> section of configuration
/// (appsettings.json, environment variables <c>SERVICEHALL_Node__Id</c> …, or the command line
/// <c>--id</c>, <c>--listen</c>, <c>--upstream</c>, <c>--data</c>, <c>--level</c>, <c>--store</c>, <c>--connection-string</c>).
/// </summary>
public sealed partial class NodeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Node";

    /// <summary>Node id: lower-case letters, digits and '-', 1–32 characters (e.g. <c>city</c>, <c>t01</c>, <c>t01-v01</c>). Required.</summary>
    public string Id { get; set; } = "";

    /// <summary>Level, configured by name: <c>city</c>, <c>township</c> or <c>village</c>. Fixed by the node program; if given it must match it.</summary>
    public NodeLevel? Level { get; set; }

    /// <summary>URL the gRPC server listens on, with an explicit port, e.g. <c>https://127.0.0.1:5100</c> (http in the cleartext mode). Default <c>https://127.0.0.1:5100</c>.</summary>
    public string ListenUrl { get; set; } = "https://127.0.0.1:5100";

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
    /// The cleartext development mode (<c>--insecure-cleartext</c>): http URLs, no certificates, sync peers named by a
    /// header claim. Off by default: a node serves https with mutual TLS (see docs/SECURITY.md).
    /// </summary>
    public bool InsecureCleartext { get; set; }

    /// <summary>
    /// Allows a cleartext (http) listen URL on an address other than loopback. Off by default:
    /// cleartext is for local development only.
    /// </summary>
    public bool AllowCleartextNonLoopback { get; set; }

    /// <summary>Which store the node keeps its data in (section <c>Node:Store</c>). Default: SQLite in the data directory.</summary>
    public NodeStoreOptions Store { get; set; } = new();

    /// <summary>
    /// Least level written to the console and the log file: <c>Verbose</c>, <c>Debug</c>, <c>Information</c>, <c>Warning</c>,
    /// <c>Error</c> or <c>Fatal</c>. Default <c>Information</c>; many nodes in one process (the scale bench) use <c>Warning</c>.
    /// </summary>
    public string LogLevel { get; set; } = "Information";

    /// <summary>Full path of the SQLite store file (used when <see cref="NodeStoreOptions.Provider"/> is <c>sqlite</c>).</summary>
    public string StorePath => Path.Combine(Path.GetFullPath(DataDir), Id + ".db");

    /// <summary>Parses <see cref="ListenUrl"/> (valid after validation).</summary>
    public Uri ListenUri => new(ListenUrl);

    /// <summary>Parses <see cref="WebListenUrl"/> (valid after validation); null when there is none.</summary>
    public Uri? WebListenUri => string.IsNullOrWhiteSpace(WebListenUrl) ? null : new(WebListenUrl);

    /// <summary>
    /// Binds the <see cref="Section"/> of <paramref name="configuration"/>. A level that names none (the binder would throw)
    /// is left unbound and returned in <paramref name="levelError"/>, so that it is reported with every other problem.
    /// </summary>
    public static NodeOptions Bind(IConfiguration configuration, out string? levelError)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        levelError = null;
        if (section[nameof(Level)] is { Length: > 0 } text && !NodeLevels.TryParse(text, out _))
        {
            levelError = $"Node:Level '{text}' is not a level: pass --level {string.Join(", --level ", Protos.V1.NodeLevelNames.All)}, or drop it (the program fixes its level).";
            section[nameof(Level)] = null;
        }

        return section.Get<NodeOptions>() ?? new NodeOptions();
    }

    [GeneratedRegex("^[a-z0-9-]{1,32}$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdPattern();
}

/// <summary>The node's store (<c>Node:Store</c>): the provider and, for a server-based one, where the server is.</summary>
public sealed class NodeStoreOptions
{
    /// <summary>
    /// Store provider: <c>sqlite</c> (default; the file <c>&lt;data&gt;/&lt;id&gt;.db</c>) or <c>sqlserver</c> (a SQL Server
    /// database, for the city in production; needs <see cref="ConnectionString"/>). Command line <c>--store</c>.
    /// </summary>
    public string Provider { get; set; } = StoreProviders.Sqlite;

    /// <summary>
    /// SqlClient connection string of the SQL Server database (server, database, login), e.g.
    /// <c>Server=db01;Database=servicehall;Integrated Security=true;Encrypt=true</c>. Required for <c>sqlserver</c>, not
    /// used by <c>sqlite</c>. Command line <c>--connection-string</c>; better from the environment
    /// (<c>SERVICEHALL_Node__Store__ConnectionString</c>) so that a password does not show in the process list.
    /// </summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// Checks <see cref="NodeOptions"/> for one node program. Every message names the option
/// and how to fix it, because an operator reads it on a console at a village station.
/// </summary>
/// <param name="programLevel">The level of the node program.</param>
/// <param name="stores">The store providers of the program (SQLite only when null).</param>
public sealed class NodeOptionsValidator(NodeLevel programLevel, StoreProviderRegistry? stores = null) : IValidateOptions<NodeOptions>
{
    private readonly StoreProviderRegistry _stores = stores ?? new StoreProviderRegistry();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var level = NodeLevels.Name(programLevel);

        if (string.IsNullOrWhiteSpace(options.Id))
        {
            errors.Add($"Node:Id is missing: pass --id <id> (e.g. --id {ExampleId(programLevel)}).");
        }
        else if (!NodeOptions.IdPattern().IsMatch(options.Id))
        {
            errors.Add($"Node:Id '{options.Id}' is not valid: use 1–32 lower-case letters, digits or '-' (e.g. --id {ExampleId(programLevel)}).");
        }

        if (options.Level is { } other && other != programLevel)
        {
            var given = Enum.IsDefined(other) ? NodeLevels.Name(other) : other.ToString();
            errors.Add($"Node:Level '{given}' does not match this program, which runs a {level} node: drop --level or start the {given}-node program instead.");
        }

        var listen = CheckListenUrl(options, errors);
        if (!string.IsNullOrWhiteSpace(options.WebListenUrl)
            && CheckWebListenUrl(options, errors) is { } web
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
            errors.Add($"Node:UpstreamUrl is required for a {level} node: pass --upstream https://<host>:<port> (the URL of {parent}).");
        }
        else if (!Uri.TryCreate(options.UpstreamUrl, UriKind.Absolute, out var up) || (up.Scheme != Uri.UriSchemeHttp && up.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Node:UpstreamUrl '{options.UpstreamUrl}' is not an http(s) URL: pass --upstream https://<host>:<port>.");
        }
        else if ((up.Scheme == Uri.UriSchemeHttps) == options.InsecureCleartext)
        {
            errors.Add(options.InsecureCleartext
                ? $"Node:UpstreamUrl '{options.UpstreamUrl}' is https but --insecure-cleartext is set: the whole network runs in one mode; use http://… or drop --insecure-cleartext."
                : $"Node:UpstreamUrl '{options.UpstreamUrl}' is cleartext: use https://… (mutual TLS), or pass --insecure-cleartext for local development only.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Node:DataDir is missing: pass --data <directory> (the node keeps its store and logs there).");
        }
        else if (File.Exists(options.DataDir))
        {
            errors.Add($"Node:DataDir '{options.DataDir}' is a file: pass --data <directory>.");
        }

        if (!Enum.TryParse<Serilog.Events.LogEventLevel>(options.LogLevel, ignoreCase: true, out _) || int.TryParse(options.LogLevel, out _))
        {
            errors.Add($"Node:LogLevel '{options.LogLevel}' is not a log level: use Verbose, Debug, Information, Warning, Error or Fatal.");
        }

        ValidateStore(options.Store ?? new NodeStoreOptions(), errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// Checks the node's listen URL (<c>--listen</c>): https (mutual TLS) by default, http only with <c>--insecure-cleartext</c>,
    /// and cleartext only on loopback unless <c>Node:AllowCleartextNonLoopback</c>. Returns it when it is usable.
    /// </summary>
    private static Uri? CheckListenUrl(NodeOptions options, List<string> errors)
    {
        var url = options.ListenUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var listen) || (listen.Scheme != Uri.UriSchemeHttp && listen.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Node:ListenUrl '{url}' is not an http(s) URL: pass --listen https://127.0.0.1:<port>.");
        }
        else if (listen.IsDefaultPort && !url.Contains($":{listen.Port}", StringComparison.Ordinal))
        {
            errors.Add($"Node:ListenUrl '{url}' has no port: pass --listen {listen.Scheme}://{listen.Host}:<port>.");
        }
        else if (listen.Scheme == Uri.UriSchemeHttps && options.InsecureCleartext)
        {
            errors.Add($"Node:ListenUrl '{url}' is https but --insecure-cleartext is set: use http://… in the cleartext mode, or drop --insecure-cleartext.");
        }
        else if (listen.Scheme == Uri.UriSchemeHttp && !options.InsecureCleartext)
        {
            errors.Add($"Node:ListenUrl '{url}' is cleartext: serve https://… (mutual TLS, the default), or pass --insecure-cleartext for local development only.");
        }
        else if (listen.Scheme == Uri.UriSchemeHttp && !listen.IsLoopback && !options.AllowCleartextNonLoopback)
        {
            errors.Add($"Node:ListenUrl '{url}' is cleartext on a non-loopback address: use 127.0.0.1, or set Node:AllowCleartextNonLoopback=true for a trusted lab network only.");
        }
        else
        {
            return listen;
        }

        return null;
    }

    /// <summary>
    /// Checks the web front desk's own URL (<c>--web-listen</c>): always cleartext HTTP/1.1. In the secured mode the pages
    /// are already served on the https listen URL (HTTP/1.1 and HTTP/2), so a cleartext web address is allowed there only
    /// on loopback (e.g. behind a local reverse proxy); a non-loopback one needs <c>--insecure-cleartext</c> and
    /// <c>Node:AllowCleartextNonLoopback</c>. Returns it when it is usable.
    /// </summary>
    private static Uri? CheckWebListenUrl(NodeOptions options, List<string> errors)
    {
        var url = options.WebListenUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var web) || (web.Scheme != Uri.UriSchemeHttp && web.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Node:WebListenUrl '{url}' is not an http(s) URL: pass --web-listen http://127.0.0.1:<port>.");
        }
        else if (web.IsDefaultPort && !url!.Contains($":{web.Port}", StringComparison.Ordinal))
        {
            errors.Add($"Node:WebListenUrl '{url}' has no port: pass --web-listen http://{web.Host}:<port>.");
        }
        else if (web.Scheme == Uri.UriSchemeHttps)
        {
            errors.Add(options.InsecureCleartext
                ? $"Node:WebListenUrl '{url}' uses https, which the cleartext mode does not serve: use http on a loopback address."
                : $"Node:WebListenUrl '{url}' uses https: the pages are already served on the https listen URL ({options.ListenUrl}); drop --web-listen.");
        }
        else if (!web.IsLoopback && !(options.InsecureCleartext && options.AllowCleartextNonLoopback))
        {
            errors.Add(options.InsecureCleartext
                ? $"Node:WebListenUrl '{url}' is cleartext on a non-loopback address: use 127.0.0.1, or set Node:AllowCleartextNonLoopback=true for a trusted lab network only."
                : $"Node:WebListenUrl '{url}' is cleartext on a non-loopback address: the pages are served over TLS on the listen URL ({options.ListenUrl}); use 127.0.0.1 or drop --web-listen.");
        }
        else
        {
            return web;
        }

        return null;
    }

    /// <summary>True when this process runs without culture data (<c>InvariantGlobalization</c> in its project, as the village program).</summary>
    private static bool GlobalizationInvariant => AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant;

    private void ValidateStore(NodeStoreOptions store, List<string> errors)
    {
        if (string.Equals(store.Provider, StoreProviders.SqlServer, StringComparison.OrdinalIgnoreCase) && !_stores.IsKnown(store.Provider))
        {
            // The program does not add the SQL Server provider (the village's project does not reference it).
            errors.Add("--store sqlserver: this node program is built without SQL Server (the village program, to stay small on a station PC): keep this node's store in SQLite (--store sqlite), or run a city or township program on SQL Server.");
        }
        else if (!_stores.IsKnown(store.Provider))
        {
            errors.Add($"Node:Store:Provider '{store.Provider}' is not a known store provider: pass --store {string.Join(" or --store ", _stores.Names)}.");
        }
        else if (_stores.Find(store.Provider) is { } server)
        {
            var name = server.Name;
            if (server.NeedsCultureData && GlobalizationInvariant)
            {
                // SqlClient refuses to open a connection without culture data (NotSupportedException at the first Open).
                errors.Add($"--store {name} needs culture data (ICU), and this node program runs without it (globalization-invariant, as the village program is built to stay small): keep this node's store in SQLite (--store sqlite), or run a city or township program on SQL Server.");
            }
            else if (string.IsNullOrWhiteSpace(store.ConnectionString))
            {
                errors.Add($"Node:Store:ConnectionString is required with --store {name}: pass --connection-string \"Server=<host>;Database=<name>;…\" or set SERVICEHALL_Node__Store__ConnectionString (see docs/OPERATIONS.md).");
            }
            else if (server.ConnectionStringProblem(store.ConnectionString) is { } problem)
            {
                errors.Add($"Node:Store:ConnectionString is not usable: {problem}");
            }
        }
        else if (!string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            errors.Add("Node:Store:ConnectionString is given but the store provider is sqlite, which keeps its file in --data: drop --connection-string, or pass --store sqlserver.");
        }
    }

    private static string ExampleId(NodeLevel level) => level switch
    {
        NodeLevel.City => "city",
        NodeLevel.Township => "t01",
        _ => "t01-v01",
    };
}
