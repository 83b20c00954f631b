using System.Data.Common;
using System.Globalization;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The dashboard's SQL over <c>case_view</c> (portable: named parameters, <c>CASE</c>, <c>COALESCE</c>, <c>GROUP BY</c>).
/// A case is <b>settled</b> when its view row is of the current <see cref="CaseStoreSql.Derivation"/> and it was never
/// accepted or is decided: then every figure of it is fixed (the clock stops at the decision; a case never accepted
/// has no deadline), so the row written when the case last changed holds the figures a derivation now would give,
/// and they are summed here. They stay so across calendar changes: every change to the calendar re-derives the rows of
/// the cases it can move in its own transaction (<see cref="CalendarDependentNumbers"/>, <see cref="CaseRepository.RefreshForCalendar"/>). Every other case is <b>live</b> (accepted and not decided: open, paused or withdrawn, whose
/// flags move with the clock; or without a current view row) and is derived as of now by
/// <see cref="CaseRepository.Statistics"/>. The two sets are complements by construction.
/// </summary>
internal static class CaseStatisticsSql
{
    /// <summary>A view row (alias <c>v</c>) whose figures are fixed; needs <c>@derivation</c>.</summary>
    private const string Settled = "v.derivation = @derivation AND (v.accepted_at IS NULL OR v.decided_at IS NOT NULL)";

    /// <summary>Numbers of the live cases (see the class); needs <c>@derivation</c>.</summary>
    public const string LiveNumbers = $"SELECT c.number FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_view v WHERE v.number = c.number AND {Settled})";

    /// <summary>
    /// Numbers of the cases whose stored figures can depend on the working calendar; needs <c>@derivation</c>. Every case
    /// but those whose current view row was never accepted: before acceptance a case has no deadline, so every figure and
    /// every rule check up to and including its first acceptance is the same under any calendar (the rules see the
    /// calendar only through deadlines, which start at acceptance); a case never accepted under one calendar is never
    /// accepted under another, and its row holds nothing the calendar moves.
    /// </summary>
    public const string CalendarDependentNumbers =
        "SELECT c.number FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_view v WHERE v.number = c.number AND v.derivation = @derivation AND v.accepted_at IS NULL)";

    /// <summary>The case-level counts of a group of view rows (alias <c>v</c>), in <see cref="ReadCounts"/> order; needs <c>@withdrawn</c>.</summary>
    private const string CaseCounts = """
        COUNT(*),
        SUM(CASE WHEN v.accepted_at IS NOT NULL AND v.status <> @withdrawn THEN 1 ELSE 0 END),
        SUM(CASE WHEN v.decided_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN v.decided_at IS NOT NULL THEN v.decided_on_the_spot ELSE 0 END),
        SUM(CASE WHEN v.decided_at IS NOT NULL THEN v.decided_within_three ELSE 0 END),
        SUM(CASE WHEN v.accepted_at IS NOT NULL AND v.status <> @withdrawn THEN v.on_time ELSE 0 END),
        SUM(v.overdue),
        SUM(v.near_due),
        SUM(CASE WHEN v.rating IS NOT NULL THEN 1 ELSE 0 END),
        SUM(COALESCE(v.rating, 0)),
        SUM(v.has_conflict)
        """;

    /// <summary>Settled cases' counts by (township, item, lead department).</summary>
    private const string ByGroup = $"""
        SELECT COALESCE(v.township, 'city'), v.item_code, v.lead_department, {CaseCounts}
        FROM case_view v
        WHERE {Settled}
        GROUP BY COALESCE(v.township, 'city'), v.item_code, v.lead_department
        """;

    /// <summary>Settled cases' counts by each department that reviews a case it does not lead.</summary>
    private const string ReviewerCases = $"""
        SELECT r.department, {CaseCounts}
        FROM case_view_reviews r JOIN case_view v ON v.number = r.number
        WHERE {Settled} AND r.department <> '' AND (v.lead_department IS NULL OR r.department <> v.lead_department)
        GROUP BY r.department
        """;

    /// <summary>Settled cases' required reviews and those answered late, by department.</summary>
    private const string Reviews = $"""
        SELECT r.department, SUM(r.reviews), SUM(r.answered_late)
        FROM case_view_reviews r JOIN case_view v ON v.number = r.number
        WHERE {Settled} AND r.department <> ''
        GROUP BY r.department
        """;

    /// <summary>Every statement of the statistics, by name (the SQL Server parse check reads them).</summary>
    public static IReadOnlyList<(string Name, string Sql)> Statements { get; } =
    [
        ("settled by group", ByGroup),
        ("settled reviewer cases", ReviewerCases),
        ("settled reviews", Reviews),
        ("live numbers", LiveNumbers),
        ("calendar-dependent numbers", CalendarDependentNumbers),
    ];

    /// <summary>
    /// The report of the settled cases. One pass over <c>case_view</c> grouped by (township, item, lead department) gives the
    /// total, township, item and lead-department rows; the reviews table adds the departments that review a case they do not
    /// lead and every department's review counts (a settled case has no review overdue or near due: both need an open case).
    /// </summary>
    public static CaseStatisticsReport SettledReport(DbConnection connection, DbTransaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var total = new CaseStatisticsRow("total");
        var towns = new List<CaseStatisticsRow>();
        var items = new List<CaseStatisticsRow>();
        var departments = new List<CaseStatisticsRow>();

        using (var cmd = Command(connection, transaction, ByGroup))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var counts = ReadCounts(r, 3, "total");
                total = total.Plus(counts);
                towns.Add(counts with { Key = r.GetString(0) });
                items.Add(counts with { Key = r.GetString(1) });
                if (!r.IsDBNull(2))
                {
                    departments.Add(counts with { Key = r.GetString(2) });
                }
            }
        }

        // Departments that review a case they do not lead: its case-level counts once more, under the reviewer.
        using (var cmd = Command(connection, transaction, ReviewerCases))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                departments.Add(ReadCounts(r, 1, r.GetString(0)));
            }
        }

        using (var cmd = Command(connection, transaction, Reviews))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                departments.Add(new CaseStatisticsRow(r.GetString(0)) { Reviews = Int(r, 1), ReviewsAnsweredLate = Int(r, 2) });
            }
        }

        return new CaseStatisticsReport(
            total,
            CaseStatistics.Merge(towns, []),
            CaseStatistics.Merge(items, []),
            CaseStatistics.Merge(departments, []));
    }

    /// <summary>A command with the parameters every statement here may use.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        Add(cmd, "@derivation", CaseStoreSql.Derivation);
        if (sql.Contains("@withdrawn", StringComparison.Ordinal))
        {
            Add(cmd, "@withdrawn", nameof(CaseStatus.Withdrawn));
        }

        return cmd;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static CaseStatisticsRow ReadCounts(DbDataReader r, int at, string key) => new(key)
    {
        Cases = Int(r, at),
        Accepted = Int(r, at + 1),
        Decided = Int(r, at + 2),
        DecidedOnTheSpot = Int(r, at + 3),
        DecidedWithinThreeWorkingDays = Int(r, at + 4),
        OnTime = Int(r, at + 5),
        Overdue = Int(r, at + 6),
        NearDue = Int(r, at + 7),
        Rated = Int(r, at + 8),
        RatingSum = Int(r, at + 9),
        Conflicts = Int(r, at + 10),
    };

    // SQLite gives 64-bit integers, SQL Server INT for COUNT and BIGINT for SUM: read either.
    private static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);
}
