using System.CommandLine;
using System.Globalization;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall node …</c>: status of a node, registration of a node at the city (revocation and enrolment: <see cref="NodeSecurityCommands"/>).</summary>
internal static class NodeCommands
{
    /// <summary>The <c>node</c> command group.</summary>
    public static Command Create() => new("node", "Inspect and administer one node")
    {
        Status(),
        Register(),
        NodeSecurityCommands.Revoke(),
        NodeSecurityCommands.Enrol(),
    };

    private static Command Status()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("status", "Identity, store, schema versions, uptime and per-peer sync health of a node") { node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Operator, async channel =>
        {
            var client = new NodeAdmin.NodeAdminClient(channel);
            var status = await client.GetStatusAsync(
                new GetStatusRequest(),
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            var view = NodeStatusView.From(status);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(view);
            }
            else
            {
                WriteStatus(view);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Register()
    {
        var node = CommonOptions.Node();
        node.Description = "URL of the city node";
        var id = new Option<string>("--id") { Description = "Id of the node to register, e.g. t03 or t03-v02", Required = true };
        var level = new Option<string>("--level") { Description = "Level of the node to register", Required = true };
        level.AcceptOnlyFromAmong([.. NodeLevelNames.All.Skip(1)]);
        var parent = new Option<string>("--parent") { Description = "Parent id: city for a township, a township id for a village", Required = true };
        var name = new Option<string>("--name") { Description = "Display name, e.g. 大洛沟村便民服务站" };
        var json = CommonOptions.Json();
        var cmd = new Command("register", "Register a township or village in the node registry at the city") { node, id, level, parent, name, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Administrator, async channel =>
        {
            var client = new NodeAdmin.NodeAdminClient(channel);
            var reply = await client.RegisterNodeAsync(
                new RegisterNodeRequest
                {
                    Id = parse.GetRequiredValue(id),
                    Level = Levels.Parse(parse.GetRequiredValue(level)),
                    ParentId = parse.GetRequiredValue(parent),
                    Name = parse.GetValue(name) ?? string.Empty,
                },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new
                {
                    id = reply.Id,
                    scope = reply.Scope,
                    created = reply.Created,
                    enrolmentToken = reply.EnrolmentToken.Length == 0 ? null : reply.EnrolmentToken,
                    tokenExpiresAt = reply.TokenExpiresAt?.ToDateTimeOffset(),
                });
            }
            else
            {
                Console.Out.WriteLine(reply.Created
                    ? $"registered {reply.Id} at {reply.Scope}"
                    : $"{reply.Id} was already registered at {reply.Scope} (nothing changed)");
                NodeSecurityCommands.WriteToken(reply);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void WriteStatus(NodeStatusView s)
    {
        var table = Tables.Create("field", "value");
        Tables.Row(table, "id", s.Id);
        Tables.Row(table, "level", s.Level);
        Tables.Row(table, "scope", s.Scope.Length == 0 ? "(before first handshake)" : s.Scope);
        Tables.Row(table, "store", $"{s.StoreProvider} {s.Store}");
        Tables.Row(table, "schema versions", string.Join(", ", s.SchemaVersions.Select(kv => $"{kv.Key}={kv.Value}")));
        Tables.Row(table, "version", s.Version);
        Tables.Row(table, "pid", Tables.Num(s.Pid));
        Tables.Row(table, "started", Tables.Time(s.StartedAt));
        Tables.Row(table, "uptime", TimeSpan.FromSeconds(Math.Round(s.UptimeSeconds)).ToString("c", CultureInfo.InvariantCulture));
        Tables.Row(table, "upstream", s.UpstreamUrl.Length == 0 ? "-" : s.UpstreamUrl);
        Tables.Row(table, "pending upstream", Tables.Num(s.PendingUpstream));
        Tables.Row(table, "parked (poison)", Tables.Num(s.Parked.Count));
        Tables.Write(table);
        if (s.Parked.Count > 0)
        {
            var parked = Tables.Create("parked change", "origin", "via", "since", "attempts", "reason");
            foreach (var p in s.Parked)
            {
                Tables.Row(parked, $"{p.Table}/{p.Key}", p.Origin, p.Via, Tables.Time(p.ParkedAt), Tables.Num(p.Attempts), p.Reason);
            }

            Tables.Write(parked);
        }

        if (s.Peers.Count == 0)
        {
            Console.Out.WriteLine("peers: none yet");
            return;
        }

        var peers = Tables.Create("peer", "relation", "state", "last success", "offline since", "push", "pull", "pending", "last error");
        foreach (var p in s.Peers)
        {
            Tables.Row(peers, p.PeerId, p.Relation, p.State, Tables.Time(p.LastSuccess), Tables.Time(p.OfflineSince),
                Tables.Num(p.PushCursor), Tables.Num(p.PullCursor), Tables.Num(p.Pending), p.LastError);
        }

        Tables.Write(peers);
    }
}
