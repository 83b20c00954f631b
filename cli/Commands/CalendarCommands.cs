using System.CommandLine;
using System.Globalization;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary>
/// <c>servicehall catalogue calendar …</c>: the working calendar's exceptions to the Monday–Friday week (holidays 放假,
/// make-up working days 调休上班). Anyone reads them; a city administrator changes them at the city, and the change
/// syncs down to every node (deadlines count working days by it).
/// </summary>
internal static class CalendarCommands
{
    /// <summary>The <c>calendar</c> command group (under <c>catalogue</c>).</summary>
    public static Command Create() => new("calendar", "Read or change the working calendar (holidays and make-up working days)")
    {
        List(),
        Set(),
        Clear(),
    };

    private static Command List()
    {
        var node = CommonOptions.Node();
        var year = new Option<int>("--year") { Description = "Only this year (default: every year the calendar holds)" };
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List the calendar's exceptions: date, weekday, working or day off, name") { node, year, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), async channel =>
        {
            var reply = await new Catalogue.CatalogueClient(channel).GetCalendarAsync(
                new GetCalendarRequest { Year = parse.GetValue(year) },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            var days = reply.Days.Select(CalendarDayView.From).ToList();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { days });
                return ExitCodes.Ok;
            }

            var table = Tables.Create("date", "weekday", "day", "name");
            foreach (var d in days)
            {
                Tables.Row(table, d.Date, d.Weekday, d.Working ? "working" : "day off", d.Name);
            }

            Tables.Write(table);
            Console.Out.WriteLine(days.Count == 1 ? "1 day" : $"{days.Count} days");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Set()
    {
        var node = CommonOptions.Node();
        var date = DateOption();
        var working = new Option<bool>("--working") { Description = "A make-up working day (调休上班) on a weekend; without it the date is a day off (放假)" };
        var name = new Option<string>("--name") { Description = "The holiday's name, e.g. 国庆节", Required = true };
        var json = CommonOptions.Json();
        var cmd = new Command("set", "Record a day off or a make-up working day (a city administrator, at the city)") { node, date, working, name, json };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Administrator, async channel =>
        {
            var day = await new Catalogue.CatalogueClient(channel).SetCalendarDayAsync(
                new SetCalendarDayRequest { Date = parse.GetRequiredValue(date), Working = parse.GetValue(working), Name = parse.GetRequiredValue(name) },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            var view = CalendarDayView.From(day);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(view);
            }
            else
            {
                Console.Out.WriteLine($"{view.Date} ({view.Weekday}) is now a {(view.Working ? "working day" : "day off")}: {view.Name}");
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Clear()
    {
        var node = CommonOptions.Node();
        var date = DateOption();
        var cmd = new Command("clear", "Remove a date's exception: the Monday–Friday rule holds for it again (a city administrator, at the city)") { node, date };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Administrator, async channel =>
        {
            var d = parse.GetRequiredValue(date);
            var reply = await new Catalogue.CatalogueClient(channel).ClearCalendarDayAsync(
                new ClearCalendarDayRequest { Date = d },
                deadline: NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout));
            Console.Out.WriteLine(reply.Removed ? $"{d}: exception removed" : $"{d} had no exception; nothing changed");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Option<string> DateOption()
    {
        var date = new Option<string>("--date") { Description = "ISO date yyyy-MM-dd", Required = true };
        date.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                r.AddError($"--date '{text}' is not an ISO date yyyy-MM-dd");
            }
        });
        return date;
    }
}

/// <summary>One calendar exception as the CLI prints it.</summary>
internal sealed record CalendarDayView(string Date, string Weekday, bool Working, string Name)
{
    public static CalendarDayView From(CalendarDay d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var weekday = DateOnly.TryParseExact(d.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.DayOfWeek.ToString()[..3]
            : "?";
        return new CalendarDayView(d.Date, weekday, d.Working, d.Name);
    }
}
