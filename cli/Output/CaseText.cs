using System.Globalization;
using Spectre.Console;

namespace ServiceHall.Cli.Output;

/// <summary>The human-readable forms of cases: one case with its opinions and a timeline of its history, and a list of cases.</summary>
internal static class CaseText
{
    /// <summary>Writes one case: its fields, the departments' opinions (if it has a parallel review) and its history as a timeline.</summary>
    public static void WriteCase(CaseView c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var fields = new Table().Border(TableBorder.Rounded).HideHeaders();
        fields.AddColumn(new TableColumn(new Text("field")));
        fields.AddColumn(new TableColumn(new Text("value")));
        Tables.Row(fields, "case", c.Number);
        Tables.Row(fields, "item", c.Item);
        Tables.Row(fields, "status", c.Status);
        Tables.Row(fields, "decided at", $"{c.Level} level, by {Or(c.DecidingNode)}");
        Tables.Row(fields, "taken at", $"{c.IntakeNode} ({c.Channel}); held now at {c.Holder}");
        Tables.Row(fields, "applicant", $"{c.ApplicantName}, {c.IdNumber}{(c.Phone is null ? string.Empty : ", " + c.Phone)}");
        Tables.Row(fields, "submitted", Tables.Time(c.SubmittedAt));
        Tables.Row(fields, "accepted", Tables.Time(c.AcceptedAt));
        Tables.Row(fields, "due", Due(c));
        Tables.Row(fields, "decided", c.DecidedAt is null ? "-" : $"{Tables.Time(c.DecidedAt)}{(c.DecisionReason is null ? string.Empty : " — " + c.DecisionReason)}");
        Tables.Row(fields, "deadline", c.Flags.Describe());
        if (c.MissingMaterials.Count > 0)
        {
            Tables.Row(fields, "missing materials", string.Join("; ", c.MissingMaterials));
        }

        if (c.CertificateNumber is not null)
        {
            Tables.Row(fields, "certificate", c.CertificateNumber);
        }

        Tables.Row(fields, "rating", c.Rating is null ? "-" : $"{c.Rating}/5{(c.RatingComment is null ? string.Empty : " — " + c.RatingComment)}");
        Tables.Write(fields);

        if (c.Opinions.Count > 0)
        {
            Console.Out.WriteLine($"parallel review: {c.ReviewOutcome}");
            var opinions = Tables.Create("department", "opinion", "reason", "due", "state", "by", "at");
            foreach (var o in c.Opinions)
            {
                Tables.Row(opinions, o.Department, o.Opinion ?? "-", o.Reason ?? string.Empty, o.DueDate ?? "-", OpinionState(o),
                    o.Actor?.ToString() ?? string.Empty, o.AnsweredAt is null ? string.Empty : Tables.Time(o.AnsweredAt));
            }

            Tables.Write(opinions);
        }

        foreach (var x in c.Conflicts)
        {
            Console.Out.WriteLine($"conflict: event {x.EventId} is kept but not merged: {x.Message}");
        }

        Console.Out.WriteLine("history:");
        var timeline = Tables.Create("#", "when (UTC)", "node", "who", "what");
        var i = 0;
        var unmerged = c.Conflicts.Select(x => x.EventId).ToHashSet(StringComparer.Ordinal);
        foreach (var h in c.History)
        {
            var what = unmerged.Contains(h.Id) ? "[NOT MERGED] " + h.Describe() : h.Describe();
            Tables.Row(timeline, (++i).ToString(CultureInfo.InvariantCulture), Tables.Time(h.At), h.Node, h.Actor?.ToString() ?? string.Empty, what);
        }

        Tables.Write(timeline);
    }

    /// <summary>Writes a list of cases, one row each, and a count.</summary>
    public static void WriteList(IReadOnlyList<CaseView> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var table = Tables.Create("case", "item", "status", "level", "held at", "applicant", "submitted", "due", "deadline");
        foreach (var c in cases)
        {
            Tables.Row(table, c.Number, c.Item, c.Status, c.Level, c.Holder, c.ApplicantName, Tables.Time(c.SubmittedAt), c.DueDate ?? "-", c.Flags.Describe());
        }

        Tables.Write(table);
        Console.Out.WriteLine(cases.Count == 1 ? "1 case" : $"{cases.Count} cases");
    }

    /// <summary>One line after an action: the case, what it is now, and its deadline.</summary>
    public static string Summary(CaseView c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return $"{c.Number}: {c.Status}; due {Due(c)}; {c.Flags.Describe()}";
    }

    private static string Due(CaseView c)
    {
        if (c.DueDate is null)
        {
            return "- (clock starts at acceptance)";
        }

        var left = c.WorkingDaysLeft switch
        {
            null => string.Empty,
            < 0 and int n => $" ({Days(-n)} overdue)",
            int n => $" ({Days(n)} left)",
        };
        var paused = c.PausedWorkingDays > 0 ? $", {Days(c.PausedWorkingDays)} paused" : string.Empty;
        return $"{c.DueDate}{left}{paused}";
    }

    private static string Days(int n) => n == 1 ? "1 working day" : $"{n.ToString(CultureInfo.InvariantCulture)} working days";

    private static string OpinionState(OpinionView o) =>
        o.SilentConsent ? "silent consent" :
        o.Overdue ? "OVERDUE" :
        o.AnsweredLate ? "answered late" :
        o.NearDue ? "near due" :
        o.Opinion is null ? "waiting" : "answered";

    private static string Or(string s) => string.IsNullOrEmpty(s) ? "-" : s;
}
