using System.CommandLine;
using ServiceHall.Cli.Grpc;
using ServiceHall.Cli.Output;
using ServiceHall.Cli.Profiles;
using ServiceHall.Protos.V1;

namespace ServiceHall.Cli.Commands;

/// <summary><c>servicehall stats</c>: the city dashboard figures (counts and rates by township, item and department) and sync health.</summary>
internal static class StatsCommands
{
    /// <summary>The <c>stats</c> command.</summary>
    public static Command Create()
    {
        var node = CommonOptions.Node();
        var json = CommonOptions.Json();
        var cmd = new Command("stats", "Counts and rates of the cases a node holds (all of them at the city), by township, item and department, and the last sync of its peers")
        {
            node, json,
        };
        cmd.SetAction(parse => NodeChannel.RunAsync(parse.GetRequiredValue(node), ClerkNeed.Operator, async channel =>
        {
            var deadline = NodeChannel.Deadline(TimeProvider.System, NodeChannel.CallTimeout);
            var figures = new Statistics.StatisticsClient(channel).GetStatisticsAsync(new GetStatisticsRequest(), deadline: deadline).ResponseAsync;
            var status = new NodeAdmin.NodeAdminClient(channel).GetStatusAsync(new GetStatusRequest(), deadline: deadline).ResponseAsync;
            var view = StatisticsView.From(await figures, await status);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(view);
            }
            else
            {
                Write(view);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void Write(StatisticsView s)
    {
        Console.Out.WriteLine($"cases held by {s.Node}, computed {Tables.Time(s.ComputedAt)}");
        WriteRows("township", [s.Total, .. s.ByTownship], departments: false);
        WriteRows("item", s.ByItem, departments: false);
        WriteRows("department", s.ByDepartment, departments: true);
        if (s.Sync.Count > 0)
        {
            var sync = Tables.Create("peer", "relation", "state", "last sync", "offline since", "pending");
            foreach (var p in s.Sync)
            {
                Tables.Row(sync, p.PeerId, p.Relation, p.State, Tables.Time(p.LastSuccess), Tables.Time(p.OfflineSince), Tables.Num(p.Pending));
            }

            Tables.Write(sync);
        }
        else
        {
            Console.Out.WriteLine($"sync: no peer has synced with {s.Node} yet");
        }

        var seen = s.Nodes.Where(n => n.State != "never").ToList();
        if (seen.Count > 0)
        {
            var network = Tables.Create("node", "level", "parent", "state", "last sync", "offline since", "last error");
            foreach (var n in seen)
            {
                Tables.Row(network, n.NodeId, n.Level, n.ParentId, n.State, Tables.Time(n.LastSync), Tables.Time(n.OfflineSince), n.LastError);
            }

            Tables.Write(network);
        }

        var never = s.Nodes.Count - seen.Count;
        if (never > 0)
        {
            Console.Out.WriteLine($"{never} registered node(s) below {s.Node} have never synced: {string.Join(", ", s.Nodes.Where(n => n.State == "never").Select(n => n.NodeId).Take(12))}{(never > 12 ? ", …" : "")}");
        }
    }

    private static void WriteRows(string by, IReadOnlyList<StatisticsRowView> rows, bool departments)
    {
        string[] columns = ["cases", "accepted", "decided", "on the spot", "≤3 wd", "on time", "overdue", "near due", "rating (n)", "conflicts"];
        string[] reviewColumns = departments ? ["reviews", "reviews overdue", "answered late", "reviews near due"] : [];
        var table = Tables.Create([by, .. columns, .. reviewColumns]);
        foreach (var r in rows)
        {
            string?[] cells =
            [
                r.Key, Tables.Num(r.Cases), Tables.Num(r.Accepted), Tables.Num(r.Decided),
                StatisticsRowView.Percent(r.OnTheSpotShare, r.Decided), StatisticsRowView.Percent(r.WithinThreeWorkingDaysShare, r.Decided),
                StatisticsRowView.Percent(r.OnTimeRate, r.Accepted), Tables.Num(r.Overdue), Tables.Num(r.NearDue),
                StatisticsRowView.Rating(r.AverageRating, r.Rated), Tables.Num(r.Conflicts),
            ];
            string?[] reviewCells = departments
                ? [Tables.Num(r.Reviews), Tables.Num(r.ReviewsOverdue), Tables.Num(r.ReviewsAnsweredLate), Tables.Num(r.ReviewsNearDue)]
                : [];
            Tables.Row(table, [.. cells, .. reviewCells]);
        }

        Tables.Write(table);
    }
}
