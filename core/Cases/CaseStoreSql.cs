using System.Globalization;
using Microsoft.Data.Sqlite;
using ServiceHall.Core.Catalogue;

namespace ServiceHall.Core.Cases;

/// <summary>The SQL behind <see cref="CaseRepository"/>: reading a case, the local <c>case_view</c> and the per-node daily counter.</summary>
internal static class CaseStoreSql
{
    /// <summary>The next case number of a node for a local day, from the local counter and, since a store rebuilt from the township has lost that, from the cases themselves.</summary>
    public static string NextNumber(SqliteConnection conn, SqliteTransaction tx, string nodeId, DateOnly today)
    {
        var day = today.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var prefix = CaseNumbers.Prefix(nodeId, today);
        long last;
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            // The counter row is local; a store rebuilt from the township has lost it, so also look at the cases themselves.
            cmd.CommandText = """
                SELECT MAX(
                    COALESCE((SELECT last FROM case_counters WHERE node_id = @node AND day = @day), 0),
                    COALESCE((SELECT MAX(CAST(substr(number, length(@prefix) + 1) AS INTEGER)) FROM cases WHERE substr(number, 1, length(@prefix)) = @prefix), 0))
                """;
            cmd.Parameters.AddWithValue("@node", nodeId);
            cmd.Parameters.AddWithValue("@day", day);
            cmd.Parameters.AddWithValue("@prefix", prefix);
            last = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var next = checked((int)last + 1);
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO case_counters (node_id, day, last) VALUES (@node, @day, @last) ON CONFLICT(node_id, day) DO UPDATE SET last = excluded.last";
            cmd.Parameters.AddWithValue("@node", nodeId);
            cmd.Parameters.AddWithValue("@day", day);
            cmd.Parameters.AddWithValue("@last", next);
            cmd.ExecuteNonQuery();
        }

        return CaseNumbers.Format(nodeId, today, next);
    }

    public static (CaseHeader Header, List<CaseEvent> Events)? Load(SqliteConnection conn, SqliteTransaction? tx, string number)
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

    /// <summary>
    /// Version of the derivation behind a <c>case_view</c> row. Rows of an older version (0: written before the view kept
    /// the statistics columns) are derived per call by <see cref="CaseStatisticsSql"/>; raise it when what a row stores changes.
    /// </summary>
    public const int Derivation = 1;

    /// <summary>Writes the case's <c>case_view</c> row and its required reviews; <paramref name="item"/> is the item it was derived with.</summary>
    public static void WriteView(SqliteConnection conn, SqliteTransaction? tx, CaseState s, ServiceItem item, DateTimeOffset now)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO case_view (number, item_code, intake_node, township, status, deciding_level, deciding_node, holder, accepted_at, decided_at,
                                   due_date, on_time, near_due, overdue, rating, has_conflict, submitted_at, refreshed_at,
                                   decided_on_the_spot, decided_within_three, lead_department, derivation)
            VALUES (@number, @item, @intake, @township, @status, @level, @deciding, @holder, @accepted, @decided,
                    @due, @ontime, @neardue, @overdue, @rating, @conflict, @submitted, @refreshed,
                    @spot, @three, @lead, @derivation)
            ON CONFLICT(number) DO UPDATE SET
                status = excluded.status, deciding_level = excluded.deciding_level, deciding_node = excluded.deciding_node, holder = excluded.holder,
                accepted_at = excluded.accepted_at, decided_at = excluded.decided_at, due_date = excluded.due_date, on_time = excluded.on_time,
                near_due = excluded.near_due, overdue = excluded.overdue, rating = excluded.rating, has_conflict = excluded.has_conflict,
                refreshed_at = excluded.refreshed_at, decided_on_the_spot = excluded.decided_on_the_spot,
                decided_within_three = excluded.decided_within_three, lead_department = excluded.lead_department, derivation = excluded.derivation
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
        cmd.Parameters.AddWithValue("@spot", s.DecidedOnTheSpot ? 1 : 0);
        cmd.Parameters.AddWithValue("@three", s.DecidedWithinThreeWorkingDays ? 1 : 0);
        cmd.Parameters.AddWithValue("@lead", item.LeadDepartment is { Length: > 0 } lead ? lead : DBNull.Value);
        cmd.Parameters.AddWithValue("@derivation", Derivation);
        cmd.ExecuteNonQuery();

        DeleteReviews(conn, tx, s.Number);
        foreach (var g in s.Reviews.GroupBy(r => r.Department, StringComparer.Ordinal))
        {
            using var review = conn.CreateCommand();
            review.Transaction = tx;
            review.CommandText = "INSERT INTO case_view_reviews (number, department, reviews, answered_late) VALUES (@n, @d, @r, @late)";
            review.Parameters.AddWithValue("@n", s.Number);
            review.Parameters.AddWithValue("@d", g.Key);
            review.Parameters.AddWithValue("@r", g.Count());
            review.Parameters.AddWithValue("@late", g.Count(r => r.AnsweredLate));
            review.ExecuteNonQuery();
        }
    }

    public static void DeleteView(SqliteConnection conn, SqliteTransaction? tx, string number)
    {
        Delete(conn, tx, "case_view", number);
        DeleteReviews(conn, tx, number);
    }

    private static void DeleteReviews(SqliteConnection conn, SqliteTransaction? tx, string number) => Delete(conn, tx, "case_view_reviews", number);

    private static void Delete(SqliteConnection conn, SqliteTransaction? tx, string table, string number)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"DELETE FROM {table} WHERE number = @n";
        cmd.Parameters.AddWithValue("@n", number);
        cmd.ExecuteNonQuery();
    }
}
