using System.CommandLine;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall catalogue …</c>: read the published catalogue held by a node; its working calendar (<see cref="CalendarCommands"/>).</summary>
internal static class CatalogueCommands
{
    /// <summary>The <c>catalogue</c> command group.</summary>
    public static Command Create() => new("catalogue", "Read the catalogue a node holds; keep the working calendar")
    {
        List(),
        Agencies(),
        CalendarCommands.Create(),
    };

    private static Command List()
    {
        var node = CommonOptions.Node();
        var level = new Option<string>("--level") { Description = "Only items decided at this level" };
        level.AcceptOnlyFromAmong(CommonOptions.LevelNames);
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List service items: code, name, level, promised limit, on-the-spot, review departments") { node, level, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var client = new Catalogue.CatalogueClient(channel);
            var reply = await client.ListItemsAsync(
                new ListItemsRequest { HandlingLevel = Levels.Parse(parse.GetValue(level)) },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            var items = reply.Items.Select(CatalogueItemView.From).ToList();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { items });
                return ExitCodes.Ok;
            }

            var table = Tables.Create("code", "name", "level", "promised (wd)", "on the spot", "review departments");
            foreach (var i in items)
            {
                Tables.Row(table, i.Code, i.Name, i.Level, Tables.Num(i.PromisedLimitDays), i.OnTheSpot ? "yes" : "no",
                    string.Join(", ", i.ReviewDepartments));
            }

            Tables.Write(table);
            Console.Out.WriteLine($"{items.Count} items");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Agencies()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("agencies", "List intermediary agencies (中介机构) with their A–D rating from per-job evaluations of the cases the node holds (the city: the whole network)") { node, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var client = new Catalogue.CatalogueClient(channel);
            var reply = await client.ListAgenciesAsync(new ListAgenciesRequest(), deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            var agencies = reply.Agencies.Select(AgencyView.From).ToList();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { agencies });
                return ExitCodes.Ok;
            }

            var table = Tables.Create("code", "name", "service", "rating", "evaluations", "average");
            foreach (var a in agencies)
            {
                Tables.Row(table, a.Code, a.Name, a.Service, a.Rating ?? "-", Tables.Num(a.Evaluations),
                    a.Evaluations == 0 ? "-" : a.Average.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            }

            Tables.Write(table);
            Console.Out.WriteLine($"{agencies.Count} agencies");
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
