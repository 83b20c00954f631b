using System.CommandLine;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall sync …</c>: operate a node's sync with its upstream.</summary>
internal static class SyncCommands
{
    /// <summary>How long one on-demand sync round may take before the CLI gives up waiting.</summary>
    public static readonly TimeSpan SyncTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The <c>sync</c> command group.</summary>
    public static Command Create() => new("sync", "Sync a node with its upstream")
    {
        Now(),
    };

    private static Command Now()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("now", "Run one sync round of the node with its upstream now, and print what moved") { node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Operator, async channel =>
        {
            var client = new NodeAdmin.NodeAdminClient(channel);
            var reply = await client.SyncNowAsync(new SyncNowRequest(), deadline: NodeChannel.Deadline(TimeProvider.System, SyncTimeout));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { ok = reply.Ok, pushed = reply.Pushed, pulled = reply.Pulled, error = reply.Error });
            }
            else if (reply.Ok)
            {
                Console.Out.WriteLine($"synced: pushed {reply.Pushed}, pulled {reply.Pulled}");
            }

            if (!reply.Ok)
            {
                await Console.Error.WriteLineAsync($"error: sync of {parse.GetRequiredValue(node)} failed: {reply.Error}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
