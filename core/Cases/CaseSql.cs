using ServiceHall.Core.Store;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Cases;

/// <summary>
/// Every statement of the case module (cases and their events, the local case view and its reviews, the per-node daily
/// counter, the evaluations agencies are rated from), built once per store dialect (see <see cref="DialectStatements"/>).
/// </summary>
public sealed class CaseSql : IDialectStatements<CaseSql>
{
    private CaseSql(SqlDialect d)
    {
        CaseCounter = "SELECT last FROM case_counters WHERE node_id = @node AND day = @day";
        // Numbers of one node and day lie in [prefix, prefix with its last '-' raised to '.'): a key range, then the
        // longest (the counter has at least four digits and grows) and highest first.
        LastCaseNumber = $"SELECT number FROM cases WHERE number >= @from AND number < @past ORDER BY {d.Length("number")} DESC, number DESC {d.Limit("@one")}";
        WriteCaseCounter = d.Upsert("case_counters", ["node_id", "day"], ["node_id", "day", "last"], ["@node", "@day", "@last"]);
        CaseHeader = $"SELECT {CaseRows.HeaderColumns} FROM cases WHERE number = @n";
        CaseEvents = $"SELECT {CaseRows.EventColumns} FROM case_events WHERE case_number = @n ORDER BY order_key, id";
        AllCaseHeaders = $"SELECT {CaseRows.HeaderColumns} FROM cases";
        AllCaseEvents = $"SELECT {CaseRows.EventColumns} FROM case_events";
        AllCaseNumbers = "SELECT number FROM cases";
        CaseOfEvent = "SELECT case_number FROM case_events WHERE id = @id";
        string[] viewColumns =
        [
            "number", "item_code", "intake_node", "township", "status", "deciding_level", "deciding_node", "holder", "accepted_at", "decided_at",
            "due_date", "on_time", "near_due", "overdue", "rating", "has_conflict", "submitted_at", "refreshed_at",
            "decided_on_the_spot", "decided_within_three", "lead_department", "derivation",
        ];
        string[] kept = ["number", "item_code", "intake_node", "township", "submitted_at"];
        WriteCaseView = d.Upsert("case_view", ["number"], viewColumns,
            ["@number", "@item", "@intake", "@township", "@status", "@level", "@deciding", "@holder", "@accepted", "@decided",
             "@due", "@ontime", "@neardue", "@overdue", "@rating", "@conflict", "@submitted", "@refreshed",
             "@spot", "@three", "@lead", "@derivation"],
            [.. viewColumns.Where(c => !kept.Contains(c)).Select(c => (c, $"{SqlDialect.New}.{d.Quote(c)}"))]);
        DeleteCaseView = "DELETE FROM case_view WHERE number = @n";
        InsertCaseViewReview = "INSERT INTO case_view_reviews (number, department, reviews, answered_late) VALUES (@n, @d, @r, @late)";
        DeleteCaseViewReviews = "DELETE FROM case_view_reviews WHERE number = @n";
        LiveCaseHeaders = $"{AllCaseHeaders} WHERE number IN ({CaseStatisticsSql.LiveNumbers})";
        LiveCaseEvents = $"{AllCaseEvents} WHERE case_number IN ({CaseStatisticsSql.LiveNumbers})";
        CalendarDependentCaseHeaders = $"{AllCaseHeaders} WHERE number IN ({CaseStatisticsSql.CalendarDependentNumbers})";
        CalendarDependentCaseEvents = $"{AllCaseEvents} WHERE case_number IN ({CaseStatisticsSql.CalendarDependentNumbers})";
        ListCases = "SELECT v.number FROM case_view v JOIN cases c ON c.number = v.number"
            + " WHERE (@s IS NULL OR v.status = @s) AND (@w IS NULL OR c.scope = @w OR c.scope LIKE @wp)"
            + $" ORDER BY v.submitted_at DESC, v.number DESC {d.Limit("@n")}";
        Evaluations = "SELECT case_number, payload FROM case_events WHERE kind = @k ORDER BY case_number, order_key, id";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static CaseSql For(SqlDialect dialect) => DialectStatements.For<CaseSql>(dialect);

    /// <inheritdoc />
    static CaseSql IDialectStatements<CaseSql>.Build(SqlDialect dialect) => new(dialect);

    public string CaseCounter { get; }

    public string LastCaseNumber { get; }

    public string WriteCaseCounter { get; }

    public string CaseHeader { get; }

    public string CaseEvents { get; }

    public string AllCaseHeaders { get; }

    public string AllCaseEvents { get; }

    public string AllCaseNumbers { get; }

    public string CaseOfEvent { get; }

    public string WriteCaseView { get; }

    public string DeleteCaseView { get; }

    /// <summary>One department's required reviews of a case in <c>case_view_reviews</c> (for the dashboard's SQL).</summary>
    public string InsertCaseViewReview { get; }

    public string DeleteCaseViewReviews { get; }

    /// <summary>Headers of the live cases (<see cref="CaseStatisticsSql.LiveNumbers"/>: derived per call); needs <c>@derivation</c>.</summary>
    public string LiveCaseHeaders { get; }

    /// <summary>Events of the live cases; needs <c>@derivation</c>.</summary>
    public string LiveCaseEvents { get; }

    /// <summary>Headers of the cases a calendar change can move (<see cref="CaseStatisticsSql.CalendarDependentNumbers"/>); needs <c>@derivation</c>.</summary>
    public string CalendarDependentCaseHeaders { get; }

    /// <summary>Events of the cases a calendar change can move; needs <c>@derivation</c>.</summary>
    public string CalendarDependentCaseEvents { get; }

    public string ListCases { get; }

    public string Evaluations { get; }
}
