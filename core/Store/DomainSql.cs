using System.Collections.Concurrent;
using ServiceHall.Core.Cases;
using ServiceHall.Core.Catalogue;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Store;

/// <summary>
/// Every statement the domain's repositories send (cases, case view and counters, catalogue, evaluations, link health),
/// built once per store dialect. The repositories never know which provider runs: what SQLite and SQL Server spell
/// differently (upserts, paging, lengths, quoting) comes from the <see cref="SqlDialect"/>; the rest is portable SQL with
/// named parameters. <see cref="Statements"/> lists them all, so the SQL Server spelling is parsed in the ordinary suite.
/// </summary>
public sealed class DomainSql
{
    private static readonly ConcurrentDictionary<string, DomainSql> Cache = new(StringComparer.Ordinal);
    private readonly SqlDialect _d;

    private DomainSql(SqlDialect d)
    {
        _d = d;
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
        CalendarYearSeeded = "SELECT CASE WHEN EXISTS (SELECT 1 FROM calendar_days WHERE date >= @from AND date < @to) THEN 1 ELSE 0 END";
        HealthProbe = "SELECT 1";
        CalendarDayCount = "SELECT COUNT(*) FROM calendar_days WHERE date = @d";
        const string clerkColumns = "id, node_id, scope, department, role, name, disabled, secret_salt, secret_hash, secret_iterations, updated_at";
        ClerksAll = $"SELECT {clerkColumns} FROM clerks ORDER BY scope, id";
        ClerkById = $"SELECT {clerkColumns} FROM clerks WHERE id = @id";
        ClerkCount = "SELECT COUNT(*) FROM clerks";
        DepartmentCount = "SELECT COUNT(*) FROM departments WHERE code = @p";
        IssueEnrolmentToken = d.Upsert("enrolment_tokens", ["node_id"], ["node_id", "token_hash", "expires_at"], ["@id", "@hash", "@expires"]);
        RedeemEnrolmentToken = "DELETE FROM enrolment_tokens WHERE node_id = @id AND token_hash = @hash AND expires_at > @now";
        DeleteEnrolmentTokens = "DELETE FROM enrolment_tokens WHERE node_id = @id";
        RevocationOf = "SELECT node_id, revoked_at, reason FROM node_revocations WHERE node_id = @id";
        NodeLinks = "SELECT node_id, scope, parent_id, state, last_contact, offline_since, last_error, reported_at FROM node_links ORDER BY scope";

        string Select(SyncTable t) => $"SELECT {string.Join(", ", t.Columns.Select(d.Quote))} FROM {d.Quote(t.Name)}";
        ItemsAll = Select(CatalogueTables.Items) + " ORDER BY code";
        ItemsAtLevel = Select(CatalogueTables.Items) + " WHERE handling_level = @p ORDER BY code";
        ItemByCode = Select(CatalogueTables.Items) + " WHERE code = @p";
        DepartmentsAll = Select(CatalogueTables.Departments) + " ORDER BY code";
        CalendarAll = Select(CatalogueTables.CalendarDays) + " ORDER BY date";
        CalendarBetween = Select(CatalogueTables.CalendarDays) + " WHERE date >= @p AND date < @q ORDER BY date";
        NodesAll = Select(CatalogueTables.Nodes) + " ORDER BY scope";
        NodeById = Select(CatalogueTables.Nodes) + " WHERE id = @p";
        NodesByParent = Select(CatalogueTables.Nodes) + " WHERE parent_id = @p ORDER BY id";
        AgenciesAll = Select(CatalogueTables.Agencies) + " ORDER BY code";
        AgencyByCode = Select(CatalogueTables.Agencies) + " WHERE code = @p";
    }

    /// <summary>The statements in <paramref name="dialect"/> (built once per dialect).</summary>
    public static DomainSql For(SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return Cache.GetOrAdd(dialect.Name, _ => new DomainSql(dialect));
    }

    /// <summary>True if the table holds any row (the seeder fills only empty tables).</summary>
    public string HasRows(SyncTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"SELECT CASE WHEN EXISTS (SELECT 1 FROM {_d.Quote(table.Name)}) THEN 1 ELSE 0 END";
    }

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

    public string CalendarYearSeeded { get; }

    public string NodeLinks { get; }

    public string CalendarDayCount { get; }

    /// <summary>Clerks, columns as <c>ClerkRegistry</c> reads them.</summary>
    public string ClerksAll { get; }

    public string ClerkById { get; }

    public string ClerkCount { get; }

    public string DepartmentCount { get; }

    public string IssueEnrolmentToken { get; }

    public string RedeemEnrolmentToken { get; }

    public string DeleteEnrolmentTokens { get; }

    public string RevocationOf { get; }

    /// <summary>The health check's trivial query (the store answers).</summary>
    public string HealthProbe { get; }

    public string ItemsAll { get; }

    public string ItemsAtLevel { get; }

    public string ItemByCode { get; }

    public string DepartmentsAll { get; }

    public string CalendarAll { get; }

    public string CalendarBetween { get; }

    public string NodesAll { get; }

    public string NodeById { get; }

    public string NodesByParent { get; }

    public string AgenciesAll { get; }

    public string AgencyByCode { get; }

    /// <summary>Every statement, named <c>domain &lt;name&gt;</c>.</summary>
    public IEnumerable<StoreStatement> Statements =>
    [
        .. typeof(DomainSql).GetProperties()
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => new StoreStatement("domain " + p.Name, (string)p.GetValue(this)!)),
        .. CatalogueTables.All.Select(t => new StoreStatement($"domain HasRows {t.Name}", HasRows(t))),
    ];
}
