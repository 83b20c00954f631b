using System.CommandLine;
using ServiceHall.Cli.Devnet;

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
        var timeout = new Option<int>("--timeout") { Description = "Seconds each tier may take to become healthy", DefaultValueFactory = _ => (int)DevnetRunner.DefaultHealthTimeout.TotalSeconds };
        var cmd = new Command("up", "Start the devnet: city, then townships, then villages, each waited healthy; foreground until Ctrl-C unless --detach")
        {
            townships, villages, data, basePort, detach, timeout,
        };
        cmd.SetAction((parse, ct) => new DevnetRunner(TimeProvider.System, Console.Out, Console.Error).UpAsync(
            new DevnetUpOptions(
                parse.GetRequiredValue(data),
                parse.GetValue(townships),
                parse.GetValue(villages),
                parse.GetValue(basePort),
                parse.GetValue(detach),
                TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout)))),
            ct));
        return cmd;
    }

    private static Command Down()
    {
        var data = Data();
        var grace = new Option<int>("--grace") { Description = "Seconds to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => (int)DevnetRunner.DefaultStopGrace.TotalSeconds };
        var cmd = new Command("down", "Stop every node of the devnet (SIGTERM, then SIGKILL after the grace period); stores and logs are kept") { data, grace };
        cmd.SetAction((parse, _) => new DevnetRunner(TimeProvider.System, Console.Out, Console.Error)
            .DownAsync(parse.GetRequiredValue(data), TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(grace)))));
        return cmd;
    }

    private static Command Status()
    {
        var data = Data();
        var json = CommonOptions.Json();
        var cmd = new Command("status", "Process and grpc.health.v1 state of every node of the devnet; exit 0 only if all serve") { data, json };
        cmd.SetAction((parse, ct) => new DevnetRunner(TimeProvider.System, Console.Out, Console.Error)
            .StatusAsync(parse.GetRequiredValue(data), parse.GetValue(json), ct));
        return cmd;
    }
}
