using System.CommandLine;
using System.Globalization;
using ServiceHall.Cli.Security;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall node revoke</c> and <c>node enrol</c>: the node-identity half of administration (see docs/SECURITY.md).</summary>
internal static class NodeSecurityCommands
{
    /// <summary>Prints the enrolment token of a registration (secured city) and what to do with it.</summary>
    public static void WriteToken(RegisterNodeReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.EnrolmentToken.Length == 0)
        {
            return;
        }

        var expires = reply.TokenExpiresAt.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
        Console.Out.WriteLine($"enrolment token (one use, expires {expires}):");
        Console.Out.WriteLine(reply.EnrolmentToken);
        Console.Out.WriteLine($"on the node's machine: servicehall node enrol --city <city https URL> --id {reply.Id} --token <token> --data <its data directory>");
    }

    /// <summary><c>node revoke</c>.</summary>
    public static Command Revoke()
    {
        var node = CommonOptions.Node();
        node.Description = "URL of the city node";
        var id = new Option<string>("--id") { Description = "Id of the node to revoke", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (kept with the revocation)" };
        var json = CommonOptions.Json();
        var cmd = new Command("revoke", "Revoke a node at the city: its parent refuses its next sync once the revocation has synced down") { node, id, reason, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var reply = await new NodeAdmin.NodeAdminClient(channel).RevokeNodeAsync(
                new RevokeNodeRequest { Id = parse.GetRequiredValue(id), Reason = parse.GetValue(reason) ?? string.Empty },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { id = reply.Id, revokedAt = reply.RevokedAt.ToDateTimeOffset(), created = reply.Created });
            }
            else
            {
                Console.Out.WriteLine(reply.Created
                    ? $"revoked {reply.Id} at {Tables.Time(reply.RevokedAt.ToDateTimeOffset())}; its parent refuses it once the revocation reaches it (next sync of the parent with the city)"
                    : $"{reply.Id} was already revoked at {Tables.Time(reply.RevokedAt.ToDateTimeOffset())} (nothing changed)");
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary><c>node enrol</c>: run on the node's machine before its first secured start.</summary>
    public static Command Enrol()
    {
        var city = new Option<Uri>("--city")
        {
            Description = "https URL of the city node",
            Required = true,
            CustomParser = CommonOptions.ParseNodeUrl,
        };
        var id = new Option<string>("--id") { Description = "Id of this node, as registered", Required = true };
        var token = new Option<string>("--token") { Description = "The token printed by `servicehall node register`", Required = true };
        var data = new Option<string>("--data") { Description = "The node's data directory: the key, certificate and CA go to DATA/tls/", Required = true };
        var host = new Option<string>("--host") { Description = "Host name or address the node serves on besides loopback (goes into its certificate)" };
        var cmd = new Command("enrol", "Make this node's key, exchange the one-time token for its certificate at the city, and write both to DATA/tls/") { city, id, token, data, host };
        cmd.SetAction(async (parse, ct) =>
        {
            // No profile here: the node has no credential yet; the token's CA pin is what it trusts.
            var url = parse.GetRequiredValue(city);
            var dir = parse.GetRequiredValue(data);
            try
            {
                var notAfter = await NodeEnrolment.EnrolAsync(url, parse.GetRequiredValue(id), parse.GetRequiredValue(token), dir, parse.GetValue(host), ct);
                Console.Out.WriteLine($"enrolled {parse.GetRequiredValue(id)}: certificate valid until {Tables.Time(notAfter)} in {Path.Combine(Path.GetFullPath(dir), "tls")}");
                return ExitCodes.Ok;
            }
            catch (global::Grpc.Core.RpcException ex)
            {
                await Console.Error.WriteLineAsync(NodeChannel.Describe(url, ex));
                return NodeChannel.IsUnreachable(ex) ? ExitCodes.Unreachable : ExitCodes.Failed;
            }
            catch (CommandFailedException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
        return cmd;
    }
}
