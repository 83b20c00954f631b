using System.Globalization;
using Microsoft.Data.Sqlite;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Hosting;
using ServiceHall.Sync;

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
        var number = NextNumber(tx, calendar.LocalDate(now));
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
        WriteView(tx.Connection, tx.Transaction, state, now);
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

        var calendar = Calendar();
        using var tx = _sync.BeginWrite();
        var (header, events) = Load(tx.Connection, tx.Transaction, number)
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
        WriteView(tx.Connection, tx.Transaction, state, now);
        tx.Commit();
        return state;
    }

    /// <summary>The case's state now, or null if the store does not hold it.</summary>
    public CaseState? Get(string number)
    {
        using var conn = _sync.Store.OpenSqlite();
        return Load(conn, null, number) is { } loaded ? Derive(loaded.Header, loaded.Events) : null;
    }

    /// <summary>Cases in this store, newest first, optionally only those of one status (as last refreshed in <c>case_view</c>).</summary>
    public IReadOnlyList<CaseState> List(CaseStatus? status = null, int limit = 1000)
    {
        using var conn = _sync.Store.OpenSqlite();
        var numbers = new List<string>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT number FROM case_view WHERE (@s IS NULL OR status = @s) ORDER BY submitted_at DESC, number DESC LIMIT @n";
            cmd.Parameters.AddWithValue("@s", (object?)status?.ToString() ?? DBNull.Value);
            cmd.Parameters.AddWithValue("@n", limit);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                numbers.Add(r.GetString(0));
            }
        }

        var result = new List<CaseState>(numbers.Count);
        foreach (var n in numbers)
        {
            if (Load(conn, null, n) is { } loaded)
            {
                result.Add(Derive(loaded.Header, loaded.Events));
            }
        }

        return result;
    }

    /// <summary>Every case in this store, derived as of now (for statistics).</summary>
    public IReadOnlyList<CaseState> All()
    {
        using var conn = _sync.Store.OpenSqlite();
        var headers = new Dictionary<string, CaseHeader>(StringComparer.Ordinal);
        var events = new Dictionary<string, List<CaseEvent>>(StringComparer.Ordinal);
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT {CaseRows.HeaderColumns} FROM cases";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var h = CaseRows.ReadHeader(r);
                headers[h.Number] = h;
            }
        }

        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT {CaseRows.EventColumns} FROM case_events";
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

        var calendar = Calendar();
        var now = Time.GetUtcNow();
        var result = new List<CaseState>(headers.Count);
        foreach (var h in headers.Values)
        {
            if (_catalogue.FindItem(h.ItemCode) is { } item)
            {
                result.Add(CaseDerivation.Derive(h, events.GetValueOrDefault(h.Number) ?? [], item, calendar, now));
            }
        }

        return result;
    }

    /// <summary>
    /// Refreshes <c>case_view</c> for the cases touched by rows the sync engine applied, inside the engine's apply
    /// transaction. <paramref name="rows"/> are (table, key, deleted); rows of other tables are ignored.
    /// </summary>
    public void OnRowsApplied(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<(string Table, string Key, bool Deleted)> rows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (table, key, deleted) in rows)
        {
            if (table == CaseTables.Cases)
            {
                numbers.Add(key);
            }
            else if (table == CaseTables.Events && !deleted)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = transaction;
                cmd.CommandText = "SELECT case_number FROM case_events WHERE id = @id";
                cmd.Parameters.AddWithValue("@id", key);
                if (cmd.ExecuteScalar() is string n)
                {
                    numbers.Add(n);
                }
            }
        }

        Refresh(connection, transaction, numbers);
    }

    /// <summary>Re-derives <c>case_view</c> rows of the given cases inside an open transaction (a case no longer held is removed).</summary>
    public void Refresh(SqliteConnection connection, SqliteTransaction? transaction, IEnumerable<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(numbers);
        var now = Time.GetUtcNow();
        var calendar = Calendar();
        foreach (var n in numbers)
        {
            if (Load(connection, transaction, n) is not { } loaded)
            {
                using var del = connection.CreateCommand();
                del.Transaction = transaction;
                del.CommandText = "DELETE FROM case_view WHERE number = @n";
                del.Parameters.AddWithValue("@n", n);
                del.ExecuteNonQuery();
                continue;
            }

            // A case can arrive before the item it is filed for; its view row waits for the catalogue.
            if (_catalogue.FindItem(loaded.Header.ItemCode) is { } item)
            {
                WriteView(connection, transaction, CaseDerivation.Derive(loaded.Header, loaded.Events, item, calendar, now), now);
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
        using (var cmd = tx.Connection.CreateCommand())
        {
            cmd.Transaction = tx.Transaction;
            cmd.CommandText = "SELECT number FROM cases";
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

    private string NextNumber(SyncWriteTransaction tx, DateOnly today)
    {
        var day = today.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var prefix = CaseNumbers.Prefix(_node.NodeId, today);
        long last;
        using (var cmd = tx.Connection.CreateCommand())
        {
            cmd.Transaction = tx.Transaction;
            // The counter row is local; a store rebuilt from the township has lost it, so also look at the cases themselves.
            cmd.CommandText = """
                SELECT MAX(
                    COALESCE((SELECT last FROM case_counters WHERE node_id = @node AND day = @day), 0),
                    COALESCE((SELECT MAX(CAST(substr(number, length(@prefix) + 1) AS INTEGER)) FROM cases WHERE substr(number, 1, length(@prefix)) = @prefix), 0))
                """;
            cmd.Parameters.AddWithValue("@node", _node.NodeId);
            cmd.Parameters.AddWithValue("@day", day);
            cmd.Parameters.AddWithValue("@prefix", prefix);
            last = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var next = checked((int)last + 1);
        using (var cmd = tx.Connection.CreateCommand())
        {
            cmd.Transaction = tx.Transaction;
            cmd.CommandText = "INSERT INTO case_counters (node_id, day, last) VALUES (@node, @day, @last) ON CONFLICT(node_id, day) DO UPDATE SET last = excluded.last";
            cmd.Parameters.AddWithValue("@node", _node.NodeId);
            cmd.Parameters.AddWithValue("@day", day);
            cmd.Parameters.AddWithValue("@last", next);
            cmd.ExecuteNonQuery();
        }

        return CaseNumbers.Format(_node.NodeId, today, next);
    }

    private static (CaseHeader Header, List<CaseEvent> Events)? Load(SqliteConnection conn, SqliteTransaction? tx, string number)
    {
        CaseHeader? header = null;
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {CaseRows.HeaderColumns} FROM cases WHERE number = @n";
            cmd.Parameters.AddWithValue("@n", number);
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                header = CaseRows.ReadHeader(r);
            }
        }

        if (header is null)
        {
            return null;
        }

        var events = new List<CaseEvent>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT {CaseRows.EventColumns} FROM case_events WHERE case_number = @n ORDER BY order_key, id";
            cmd.Parameters.AddWithValue("@n", number);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                events.Add(CaseRows.ReadEvent(r));
            }
        }

        return (header, events);
    }

    private static void WriteView(SqliteConnection conn, SqliteTransaction? tx, CaseState s, DateTimeOffset now)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO case_view (number, item_code, intake_node, township, status, deciding_level, deciding_node, holder, accepted_at, decided_at,
                                   due_date, on_time, near_due, overdue, rating, has_conflict, submitted_at, refreshed_at)
            VALUES (@number, @item, @intake, @township, @status, @level, @deciding, @holder, @accepted, @decided,
                    @due, @ontime, @neardue, @overdue, @rating, @conflict, @submitted, @refreshed)
            ON CONFLICT(number) DO UPDATE SET
                status = excluded.status, deciding_level = excluded.deciding_level, deciding_node = excluded.deciding_node, holder = excluded.holder,
                accepted_at = excluded.accepted_at, decided_at = excluded.decided_at, due_date = excluded.due_date, on_time = excluded.on_time,
                near_due = excluded.near_due, overdue = excluded.overdue, rating = excluded.rating, has_conflict = excluded.has_conflict,
                refreshed_at = excluded.refreshed_at
            """;
        var path = new CasePath(s.Header.IntakeScope);
        cmd.Parameters.AddWithValue("@number", s.Number);
        cmd.Parameters.AddWithValue("@item", s.Header.ItemCode);
        cmd.Parameters.AddWithValue("@intake", s.Header.IntakeNode);
        cmd.Parameters.AddWithValue("@township", (object?)path.NodeAt(NodeLevel.Township) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@status", s.Status.ToString());
        cmd.Parameters.AddWithValue("@level", (int)s.DecidingLevel);
        cmd.Parameters.AddWithValue("@deciding", (object?)s.DecidingNode ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@holder", s.Holder);
        cmd.Parameters.AddWithValue("@accepted", (object?)CaseRows.Time(s.AcceptedAt) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@decided", (object?)CaseRows.Time(s.DecidedAt) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@due", s.DueDate is null ? DBNull.Value : CaseRows.Date(s.DueDate));
        cmd.Parameters.AddWithValue("@ontime", s.OnTime ? 1 : 0);
        cmd.Parameters.AddWithValue("@neardue", s.NearDue ? 1 : 0);
        cmd.Parameters.AddWithValue("@overdue", s.Overdue ? 1 : 0);
        cmd.Parameters.AddWithValue("@rating", (object?)s.Rating ?? DBNull.Value);
        cmd.Parameters.AddWithValue("@conflict", s.HasConflict ? 1 : 0);
        cmd.Parameters.AddWithValue("@submitted", CaseRows.Time(s.Header.SubmittedAt));
        cmd.Parameters.AddWithValue("@refreshed", CaseRows.Time(now));
        cmd.ExecuteNonQuery();
    }

    private static void Require(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CaseActionException(CaseErrorKind.InvalidArgument, $"The {what} is required.");
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
