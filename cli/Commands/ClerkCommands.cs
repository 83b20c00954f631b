using System.CommandLine;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall clerk …</c>: manage clerks at the city (administrators) and check who the CLI signs in as.</summary>
internal static class ClerkCommands
{
    /// <summary>The <c>clerk</c> command group.</summary>
    public static Command Create() => new("clerk", "Manage clerks (city administrators) and show who the CLI signs in as")
    {
        Add(),
        List(),
        Disable(),
        WhoAmI(),
    };

    private static Command Add()
    {
        var node = CommonOptions.Node();
        node.Description = "URL of the city node";
        var id = new Option<string>("--id") { Description = "Clerk id, e.g. window@t01-v01", Required = true };
        var at = new Option<string>("--at") { Description = "Node the clerk works at, e.g. t01-v01", Required = true };
        var department = new Option<string>("--department") { Description = "Department code, e.g. VC", Required = true };
        var role = new Option<string>("--role") { Description = "window, reviewer, manager, operator or administrator", Required = true };
        role.AcceptOnlyFromAmong(Roles.Names);
        var name = new Option<string>("--name") { Description = "Display name" };
        var save = new Option<bool>("--save") { Description = "Also store the new clerk's credential in the profile's clerks.json" };
        var json = CommonOptions.Json();
        var cmd = new Command("add", "Register a clerk; a fresh secret is generated and printed once") { node, id, at, department, role, name, save, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Administrator, async channel =>
        {
            var secret = ClerkCredential.NewSecret();
            var info = await new Clerks.ClerksClient(channel).AddClerkAsync(
                new AddClerkRequest
                {
                    Id = parse.GetRequiredValue(id),
                    NodeId = parse.GetRequiredValue(at),
                    Department = parse.GetRequiredValue(department),
                    Role = Roles.Parse(parse.GetRequiredValue(role)),
                    Name = parse.GetValue(name) ?? string.Empty,
                    Secret = secret,
                },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            if (parse.GetValue(save))
            {
                var profile = ClerkProfile.Load(ClerkSession.Directory) ?? new ClerkProfile();
                profile.Clerks.RemoveAll(c => c.Id == info.Id);
                profile.Clerks.Add(new ClerkCredential(info.Id, secret, info.NodeId, info.Department, Roles.Name(info.Role)));
                profile.Save(ClerkSession.Directory);
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { clerk = View(info), secret });
            }
            else
            {
                Console.Out.WriteLine($"added {info.Id} ({Roles.Name(info.Role)}, {info.Department}) at {info.NodeId}; secret: {secret}");
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command List()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("list", "The clerks the node holds in the caller's subtree (operators, administrators); no secrets") { node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Operator, async channel =>
        {
            var reply = await new Clerks.ClerksClient(channel).ListClerksAsync(new ListClerksRequest(), deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { clerks = reply.Clerks.Select(View) });
                return ExitCodes.Ok;
            }

            var table = Tables.Create("id", "node", "department", "role", "name", "disabled");
            foreach (var c in reply.Clerks)
            {
                Tables.Row(table, c.Id, c.NodeId, c.Department, Roles.Name(c.Role), c.Name, c.Disabled ? "yes" : "no");
            }

            Tables.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Disable()
    {
        var node = CommonOptions.Node();
        node.Description = "URL of the city node";
        var id = new Argument<string>("id") { Description = "Clerk id" };
        var enable = new Option<bool>("--enable") { Description = "Enable the clerk again instead" };
        var cmd = new Command("disable", "Disable a clerk (refused at sign-in on every node once synced), or --enable it") { id, node, enable };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Administrator, async channel =>
        {
            var info = await new Clerks.ClerksClient(channel).SetClerkDisabledAsync(
                new SetClerkDisabledRequest { Id = parse.GetRequiredValue(id), Disabled = !parse.GetValue(enable) },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            Console.Out.WriteLine($"{info.Id}: {(info.Disabled ? "disabled" : "enabled")}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command WhoAmI()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("whoami", "The clerk the node signs this CLI in as") { node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var info = await new Clerks.ClerksClient(channel).WhoAmIAsync(new WhoAmIRequest(), deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(View(info));
            }
            else
            {
                Console.Out.WriteLine($"{info.Id} ({Roles.Name(info.Role)}, {info.Department}) of {info.NodeId} ({info.Scope})");
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static object View(ClerkInfo c) => new
    {
        id = c.Id, node = c.NodeId, scope = c.Scope, department = c.Department, role = Roles.Name(c.Role), name = c.Name, disabled = c.Disabled,
    };
}
