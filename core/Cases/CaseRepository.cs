using System.Data.Common;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Core.Nodes;
using ServiceHall.Core.Store;
using ServiceHall.Sync;
using ServiceHall.Sync.Engine;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Cases;

/// <summary>What a clerk enters to file a case.</summary>
/// <param name="ItemCode">Item applied for.</param>
/// <param name="ApplicantName">Applicant's name.</param>
/// <param name="IdNumber">Applicant's identity document number.</param>
/// <param name="Phone">Phone, or null.</param>
/// <param name="Channel">Window or online.</param>
/// <param name="Actor">Clerk who takes the case.</param>
public sealed record CaseSubmission(string ItemCode, string ApplicantName, string IdNumber, string? Phone, CaseChannel Channel, CaseActor Actor);

/// <summary>
/// Cases in this node's store. Every write goes through <see cref="SyncStore.BeginWrite"/>: the action is checked with
/// <see cref="CaseRules"/> against the state derived inside the same transaction, the rows are written (and logged for
/// sync), and <c>case_view</c> is refreshed before commit, so a refused action changes nothing.
/// </summary>
public sealed class CaseRepository
{
    private readonly SyncStore _sync;
    private readonly ICaseCatalogue _catalogue;
    private readonly NodeIdentity _node;

    /// <summary>Creates the repository over a store that has the case tables declared in its sync schema.</summary>
    public CaseRepository(SyncStore sync, ICaseCatalogue catalogue, NodeIdentity node)
    {
        _sync = sync ?? throw new ArgumentNullException(nameof(sync));
        _catalogue = catalogue ?? throw new ArgumentNullException(nameof(catalogue));
        _node = node ?? throw new ArgumentNullException(nameof(node));
    }

    private TimeProvider Time => _sync.Time;

    /// <summary>The working calendar as currently synced.</summary>
    public WorkingCalendar Calendar() => new(_catalogue.CalendarDays());

    /// <summary>The working calendar as read inside an open transaction (with its uncommitted calendar rows).</summary>
    private WorkingCalendar Calendar(DbConnection connection, DbTransaction? transaction) => new(_catalogue.CalendarDays(connection, transaction));

    /// <summary>The node this repository serves.</summary>
    public NodeIdentity Node => _node;

    /// <summary>Files a new case at this node and returns its state.</summary>
    public CaseState Submit(CaseSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        Require(submission.ApplicantName, "applicant name");
        Require(submission.IdNumber, "id number");
        var item = FindItem(submission.ItemCode);
        var scope = _sync.NodeScope
            ?? throw new CaseActionException(CaseErrorKind.FailedPrecondition, $"Node {_node.NodeId} does not know its scope yet; it learns it at the first sync with its parent.");
        var calendar = Calendar();
        var now = Time.GetUtcNow();

        using var tx = _sync.BeginWrite();
        var number = CaseStoreSql.NextNumber(Sql, tx.Connection, tx.Transaction, _node.NodeId, calendar.LocalDate(now));
        var header = new CaseHeader(number, item.Code, submission.ApplicantName.Trim(), submission.IdNumber.Trim(), Blank(submission.Phone), _node.NodeId, scope, now, submission.Channel);
        var submitted = NewEvent(number, CaseEventKind.Submitted, submission.Actor, CaseEventData.None, now);
        var before = CaseDerivation.Derive(header, [], item, calendar, now);
        var verdict = CaseRules.Check(before, submitted, item, calendar);
        if (!verdict.Allowed)
        {
            throw CaseActionException.From(verdict);
        }

        tx.Upsert(CaseTables.Cases, CaseRows.HeaderValues(header));
        tx.Upsert(CaseTables.Events, CaseRows.EventValues(submitted, scope));
        var state = CaseDerivation.Derive(header, [submitted], item, calendar, now);
        CaseStoreSql.WriteView(Sql, tx.Connection, tx.Transaction, state, item, now);
        tx.Commit();
        return state;
    }

    /// <summary>Records an action on a case after checking it against the derived state; returns the new state.</summary>
    public CaseState Append(string number, CaseEventKind kind, CaseActor actor, CaseEventData data)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(data);
        if (kind == CaseEventKind.Submitted)
        {
            throw new CaseActionException(CaseErrorKind.InvalidArgument, "A case is submitted with Submit, not appended to.");
        }

        // The agency must be one this node's catalogue lists; the rules (which every node re-checks on derivation)
        // only check the shape, so a catalogue that changes later does not turn an accepted evaluation into a conflict.
        if (data.Agency is { } agency && _catalogue.FindAgency(agency) is null)
        {
            throw new CaseActionException(CaseErrorKind.NotFound, $"Agency {agency} is not in the catalogue of node {_node.NodeId}.");
        }

        var calendar = Calendar();
        using var tx = _sync.BeginWrite();
        var (header, events) = CaseStoreSql.Load(Sql, tx.Connection, tx.Transaction, number)
            ?? throw new CaseActionException(CaseErrorKind.NotFound, $"Case {number} is not in the store of node {_node.NodeId}.");
        var item = FindItem(header.ItemCode);
        var now = Time.GetUtcNow();
        var before = CaseDerivation.Derive(header, events, item, calendar, now);
        var e = NewEvent(number, kind, actor, data, now);
        if (events.Count > 0 && events[^1].Order >= e.Order)
        {
            // An action is taken after seeing the whole history, so it must order after it even if this node's clock lags
            // (the engine observes remote clocks on apply; this holds even before it does).
            _sync.Clock.Observe(events[^1].Order);
            e = e with { Order = _sync.Clock.Next() };
        }

        var verdict = CaseRules.Check(before, e, item, calendar);
        if (!verdict.Allowed)
        {
            throw CaseActionException.From(verdict);
        }

        tx.Upsert(CaseTables.Events, CaseRows.EventValues(e, header.IntakeScope));
        var state = CaseDerivation.Derive(header, [.. events, e], item, calendar, now);
        CaseStoreSql.WriteView(Sql, tx.Connection, tx.Transaction, state, item, now);
        tx.Commit();
        return state;
    }

    /// <summary>
    /// What <see cref="CaseRules"/> would say if <paramref name="actor"/> took this action at this node now; writes nothing.
    /// Front ends use it to offer only the actions the rules allow.
    /// </summary>
    public CaseVerdict Check(CaseState state, CaseEventKind kind, CaseActor actor, CaseEventData data)
    {
        ArgumentNullException.ThrowIfNull(state);
        var now = Time.GetUtcNow();
        var probe = new CaseEvent(string.Empty, state.Number, kind, _node.NodeId, actor, now, long.MaxValue, data);
        return CaseRules.Check(state, probe, FindItem(state.Header.ItemCode), Calendar());
    }

    /// <summary>The case's state now, or null if the store does not hold it.</summary>
    public CaseState? Get(string number)
    {
        using var conn = _sync.Store.Open();
        return CaseStoreSql.Load(Sql, conn, null, number) is { } loaded ? Derive(loaded.Header, loaded.Events) : null;
    }

    /// <summary>
    /// Cases in this store, newest first, optionally only those of one status (as last refreshed in <c>case_view</c>) and
    /// only those whose scope lies inside <paramref name="within"/> (a scope path).
    /// </summary>
    public IReadOnlyList<CaseState> List(CaseStatus? status = null, int limit = 1000, string? within = null)
    {
        using var conn = _sync.Store.Open();
        var numbers = new List<string>();
        // Scope paths hold node ids ([a-z0-9-]) and '/', so LIKE's wildcards cannot occur in them.
        using (var cmd = conn.Command(Sql.ListCases)
            .With("@s", status?.ToString()).With("@w", within).With("@wp", within is null ? null : within + "/%").With("@n", limit))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                numbers.Add(r.GetString(0));
            }
        }

        var result = new List<CaseState>(numbers.Count);
        foreach (var n in numbers)
        {
            if (CaseStoreSql.Load(Sql, conn, null, n) is { } loaded)
            {
                result.Add(Derive(loaded.Header, loaded.Events));
            }
        }

        return result;
    }

    /// <summary>Every case in this store, derived as of now.</summary>
    public IReadOnlyList<CaseState> All()
    {
        using var conn = _sync.Store.Open();
        return Derived(conn, null, live: false);
    }

    /// <summary>
    /// The dashboard as of now, without re-deriving every case: the settled cases (never accepted, or decided) are summed in
    /// SQL over <c>case_view</c>, the live ones (accepted and not decided, or without a current view row) are derived as of
    /// now, and the two reports are added. Gives the figures of <see cref="CaseStatistics.Compute"/> over <see cref="All"/>
    /// (see <see cref="CaseStatisticsSql"/>), provided the view rows were written with the calendar and items in force now:
    /// a calendar change re-derives them in its own transaction (<see cref="RefreshForCalendar"/>); after a change to an
    /// item that moves past deadlines, call <see cref="RefreshAll"/>.
    /// </summary>
    public CaseStatisticsReport Statistics()
    {
        using var conn = _sync.Store.Open();
        // One read transaction: the settled sums and the live cases are of the same snapshot, so no case is counted twice or missed.
        using var tx = _sync.Store.BeginSnapshotRead(conn);
        var settled = CaseStatisticsSql.SettledReport(conn, tx);
        var live = Derived(conn, tx, live: true);
        return CaseStatistics.Merge(settled, CaseStatistics.Compute(live, _catalogue.FindItem));
    }

    /// <summary>Derives as of now every case, or only the live ones (<see cref="CaseStatisticsSql.LiveNumbers"/>).</summary>
    private List<CaseState> Derived(DbConnection conn, DbTransaction? tx, bool live)
    {
        var (headers, events) = live
            ? LoadCases(conn, tx, Sql.LiveCaseHeaders, Sql.LiveCaseEvents)
            : LoadCases(conn, tx, Sql.AllCaseHeaders, Sql.AllCaseEvents);
        // The calendar of the same snapshot as the cases (and as the settled sums, which a calendar change rewrites with it).
        var calendar = Calendar(conn, tx);
        var now = Time.GetUtcNow();
        var result = new List<CaseState>(headers.Count);
        foreach (var h in headers)
        {
            if (_catalogue.FindItem(h.ItemCode) is { } item)
            {
                result.Add(CaseDerivation.Derive(h, events.GetValueOrDefault(h.Number) ?? [], item, calendar, now));
            }
        }

        return result;
    }

    /// <summary>
    /// Headers and events of a set of cases in two statements (headers, then the events of the same set), bound to
    /// <c>@derivation</c> when the statements name it.
    /// </summary>
    private static (List<CaseHeader> Headers, Dictionary<string, List<CaseEvent>> Events) LoadCases(DbConnection conn, DbTransaction? tx, string headerSql, string eventSql)
    {
        var headers = new List<CaseHeader>();
        var events = new Dictionary<string, List<CaseEvent>>(StringComparer.Ordinal);
        using (var cmd = Bound(conn.Command(headerSql, tx)))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                headers.Add(CaseRows.ReadHeader(r));
            }
        }

        using (var cmd = Bound(conn.Command(eventSql, tx)))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var e = CaseRows.ReadEvent(r);
                if (!events.TryGetValue(e.CaseNumber, out var list))
                {
                    events[e.CaseNumber] = list = [];
                }

                list.Add(e);
            }
        }

        return (headers, events);

        static DbCommand Bound(DbCommand cmd) =>
            cmd.CommandText.Contains("@derivation", StringComparison.Ordinal) ? cmd.With("@derivation", (long)CaseStoreSql.Derivation) : cmd;
    }

    /// <summary>
    /// Refreshes <c>case_view</c> for the cases touched by rows the sync engine applied, inside the engine's apply
    /// transaction. <paramref name="rows"/> are (table, key, deleted); a row of the working calendar refreshes every case
    /// whose figures the calendar can move (<see cref="RefreshForCalendar"/>); rows of other tables are ignored.
    /// </summary>
    public void OnRowsApplied(DbConnection connection, DbTransaction transaction, IEnumerable<(string Table, string Key, bool Deleted)> rows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var calendarChanged = false;
        foreach (var (table, key, deleted) in rows)
        {
            if (table == CatalogueTables.CalendarDays.Name)
            {
                calendarChanged = true;
            }
            else if (table == CaseTables.Cases)
            {
                numbers.Add(key);
            }
            else if (table == CaseTables.Events && !deleted)
            {
                using var cmd = connection.Command(Sql.CaseOfEvent, transaction).With("@id", key);
                if (cmd.ExecuteScalar() is string n)
                {
                    numbers.Add(n);
                }
            }
        }

        // The calendar rows are in this same transaction: the refresh reads the calendar inside it (a read on another
        // connection would not see them yet), and the view commits with them or not at all. A calendar batch is rare (the
        // city edits a day, or next year's notice arrives), so the longer apply is paid seldom.
        if (calendarChanged)
        {
            RefreshForCalendar(connection, transaction);
        }

        Refresh(connection, transaction, numbers);
    }

    /// <summary>
    /// After a change to the working calendar, inside the transaction that made it (a local edit at the city through
    /// <see cref="CatalogueRepository.CalendarChanged"/>, or rows applied by sync through <see cref="OnRowsApplied"/>):
    /// re-derives the <c>case_view</c> row of every case whose stored figures the calendar can move, so the dashboard's
    /// sums over settled cases follow the calendar at once. Returns the number of cases re-derived.
    /// <para>
    /// Which cases: every case ever accepted, settled or live (<see cref="CaseStatisticsSql.CalendarDependentNumbers"/>;
    /// the live ones too, since <see cref="List"/> filters on the view's status, which the calendar can move when a decision
    /// is judged against a review limit). Narrowing further to the cases whose span of
    /// days touches the changed date is not done: the span of a case is not only acceptance to due date or decision but
    /// every day any fold of its history consulted (pauses may start before acceptance, and the rules re-check each event
    /// as of its own time, where silent consent and the review limits look at their own days), and none of that is stored
    /// in the view; a filter on the stored dates alone could skip a case whose decision the change turns into a conflict.
    /// Instead the set is loaded in two statements and derived in memory (see the timing in docs/ARCHITECTURE.md).
    /// </para>
    /// </summary>
    public int RefreshForCalendar(DbConnection connection, DbTransaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var calendar = Calendar(connection, transaction);
        var now = Time.GetUtcNow();
        var (headers, events) = LoadCases(connection, transaction, Sql.CalendarDependentCaseHeaders, Sql.CalendarDependentCaseEvents);
        var items = new Dictionary<string, ServiceItem?>(StringComparer.Ordinal);
        foreach (var h in headers)
        {
            if (!items.TryGetValue(h.ItemCode, out var item))
            {
                items[h.ItemCode] = item = _catalogue.FindItem(h.ItemCode);
            }

            // As in Refresh: a case whose item has not arrived keeps no view row until it does.
            if (item is not null)
            {
                var state = CaseDerivation.Derive(h, events.GetValueOrDefault(h.Number) ?? [], item, calendar, now);
                CaseStoreSql.WriteView(Sql, connection, transaction, state, item, now);
            }
        }

        return headers.Count;
    }

    /// <summary>Re-derives <c>case_view</c> rows of the given cases inside an open transaction (a case no longer held is removed).</summary>
    public void Refresh(DbConnection connection, DbTransaction? transaction, IEnumerable<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(numbers);
        var now = Time.GetUtcNow();
        var calendar = Calendar(connection, transaction);
        foreach (var n in numbers)
        {
            if (CaseStoreSql.Load(Sql, connection, transaction, n) is not { } loaded)
            {
                CaseStoreSql.DeleteView(Sql, connection, transaction, n);
                continue;
            }

            // A case can arrive before the item it is filed for; its view row waits for the catalogue.
            if (_catalogue.FindItem(loaded.Header.ItemCode) is { } item)
            {
                CaseStoreSql.WriteView(Sql, connection, transaction, CaseDerivation.Derive(loaded.Header, loaded.Events, item, calendar, now), item, now);
            }
        }
    }

    /// <summary>
    /// Re-derives every <c>case_view</c> row as of now, so time-dependent flags (near due, overdue) stay current for
    /// listing; call it from a periodic job (e.g. at the start of each working day). Returns the number of cases refreshed.
    /// </summary>
    public int RefreshAll()
    {
        using var tx = _sync.BeginWrite();
        var numbers = new List<string>();
        using (var cmd = tx.Command(Sql.AllCaseNumbers))
        {
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                numbers.Add(r.GetString(0));
            }
        }

        Refresh(tx.Connection, tx.Transaction, numbers);
        tx.Commit();
        return numbers.Count;
    }

    /// <summary>The domain's statements in the store's dialect.</summary>
    private CaseSql Sql => CaseSql.For(_sync.Store.Dialect);

    private CaseState Derive(CaseHeader header, IReadOnlyList<CaseEvent> events) =>
        CaseDerivation.Derive(header, events, FindItem(header.ItemCode), Calendar(), Time.GetUtcNow());

    private ServiceItem FindItem(string code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new CaseActionException(CaseErrorKind.InvalidArgument, "An item code is required.");
        }

        return _catalogue.FindItem(code)
            ?? throw new CaseActionException(CaseErrorKind.NotFound, $"Item {code} is not in the catalogue of node {_node.NodeId}.");
    }

    private CaseEvent NewEvent(string number, CaseEventKind kind, CaseActor actor, CaseEventData data, DateTimeOffset now) =>
        new(CaseEvent.NewId(_node.NodeId, Time), number, kind, _node.NodeId, actor, now, _sync.Clock.Next(), data);

    private static void Require(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CaseActionException(CaseErrorKind.InvalidArgument, $"The {what} is required.");
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
