using System.CommandLine;
using ServiceHall.Cli.Devnet;
using ServiceHall.Cli.Grpc;

namespace ServiceHall.Cli.Commands;

/// <summary>
/// <c>servicehall devnet …</c>: a local network of real node processes on 127.0.0.1 (one city, N townships,
/// M villages under each), for development and process-level tests.
/// </summary>
internal static class DevnetCommands
{
    /// <summary>Default devnet directory.</summary>
    public const string DefaultDirectory = "./devnet-data";

    /// <summary>The <c>devnet</c> command group.</summary>
    public static Command Create() => new("devnet", "Run a local network of node processes (city, townships, villages) on 127.0.0.1")
    {
        Up(),
        Down(),
        Status(),
        Link("cut", "Cut NODE's link to its parent: drop its live connections and refuse new ones (until devnet heal)"),
        Link("heal", "Heal NODE's link to its parent: accept and relay connections again"),
        Proxy(),
    };

    private static Option<string> Data() => new("--data")
    {
        Description = "Devnet directory: devnet.json, and <id>/ per node (store, logs, console.log)",
        DefaultValueFactory = _ => DefaultDirectory,
    };

    private static Command Up()
    {
        var townships = new Option<int>("--townships") { Description = "Number of townships (t01, t02, …)", DefaultValueFactory = _ => DevnetPlan.DefaultTownships };
        var villages = new Option<int>("--villages-per-township") { Description = "Villages under each township (t01-v01, …)", DefaultValueFactory = _ => DevnetPlan.DefaultVillagesPerTownship };
        var data = Data();
        var basePort = new Option<int>("--base-port")
        {
            Description = "Port of the city; townships take base+1…base+N, then villages in order t01-v01, t01-v02, …, t02-v01, …",
            DefaultValueFactory = _ => DevnetPlan.DefaultBasePort,
        };
        var detach = new Option<bool>("--detach") { Description = "Return once every node is healthy and leave the nodes running (stop them with devnet down)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds each tier may take to become healthy", DefaultValueFactory = _ => (int)DevnetUp.DefaultHealthTimeout.TotalSeconds };
        var insecure = new Option<bool>("--insecure") { Description = "Cleartext development mode: http, no certificates, nodes named by a forgeable header (default: mutual TLS, every node enrolled)" };
        var native = new Option<bool>("--native-villages")
        {
            Description = "Run the villages as the native program a station PC runs (Native AOT; built first with `dotnet publish village-node -c Release`, which needs clang and lld)",
        };
        var cmd = new Command("up", "Start the devnet: city, then townships, then villages, each waited healthy; foreground until Ctrl-C unless --detach")
        {
            townships, villages, data, basePort, detach, timeout, insecure, native,
        };
        cmd.SetAction((parse, ct) => new DevnetUp(TimeProvider.System, Console.Out, Console.Error).RunAsync(
            new DevnetUpOptions(
                parse.GetRequiredValue(data),
                parse.GetValue(townships),
                parse.GetValue(villages),
                parse.GetValue(basePort),
                parse.GetValue(detach),
                TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))),
                parse.GetValue(insecure),
                parse.GetValue(native)),
            ct));
        return cmd;
    }

    private static Command Down()
    {
        var data = Data();
        var grace = new Option<int>("--grace") { Description = "Seconds to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => (int)DevnetDown.DefaultStopGrace.TotalSeconds };
        var cmd = new Command("down", "Stop every node of the devnet (SIGTERM, then SIGKILL after the grace period); stores and logs are kept") { data, grace };
        cmd.SetAction((parse, _) => new DevnetDown(TimeProvider.System, Console.Out, Console.Error)
            .RunAsync(parse.GetRequiredValue(data), TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(grace)))));
        return cmd;
    }

    private static Command Status()
    {
        var data = Data();
        var json = CommonOptions.Json();
        var cmd = new Command("status", "Process and grpc.health.v1 state of every node of the devnet; exit 0 only if all serve") { data, json };
        cmd.SetAction((parse, ct) => new DevnetStatus(TimeProvider.System, Console.Error)
            .RunAsync(parse.GetRequiredValue(data), parse.GetValue(json), ct));
        return cmd;
    }

    private static Command Link(string verb, string description)
    {
        var node = new Argument<string>("NODE") { Description = "Child node id whose upstream link is meant (e.g. t01-v01, or t01 for a township's link to the city)" };
        var data = Data();
        var cmd = new Command(verb, description) { node, data };
        cmd.SetAction((parse, ct) => new DevnetLink(Console.Out, Console.Error)
            .RunAsync(parse.GetRequiredValue(data), verb, parse.GetRequiredValue(node), ct));
        return cmd;
    }

    /// <summary>Hidden: the process that hosts the link proxies of a detached devnet (started by <c>devnet up --detach</c>).</summary>
    private static Command Proxy()
    {
        var data = Data();
        var link = new Option<string[]>("--link") { Description = "CHILD=PARENTPORT, one per link", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("proxy", "Host the link proxies of a detached devnet until SIGTERM") { data, link };
        cmd.Hidden = true;
        cmd.SetAction((parse, ct) =>
        {
            var links = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var l in parse.GetValue(link) ?? [])
            {
                var eq = l.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !int.TryParse(l.AsSpan(eq + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    Console.Error.WriteLine($"error: --link {l}: expected CHILD=PARENTPORT");
                    return Task.FromResult(ExitCodes.Usage);
                }

                links[l[..eq]] = port;
            }

            return new DevnetProxy(TimeProvider.System, Console.Out, Console.Error).RunAsync(parse.GetRequiredValue(data), links, ct);
        });
        return cmd;
    }
}
