using System.Data.Common;
using System.Globalization;
using ServiceHall.Core.Catalogue;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Cases;

/// <summary>
/// The store access behind <see cref="CaseRepository"/>: reading a case, the local <c>case_view</c> and the per-node daily counter,
/// through ADO.NET on any store provider, with the statements of <see cref="CaseSql"/> in the store's dialect.
/// </summary>
internal static class CaseStoreSql
{
    /// <summary>The next case number of a node for a local day, from the local counter and, since a store rebuilt from the township has lost that, from the cases themselves.</summary>
    public static string NextNumber(CaseSql sql, DbConnection conn, DbTransaction tx, string nodeId, DateOnly today)
    {
        var day = today.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var prefix = CaseNumbers.Prefix(nodeId, today);
        long last;
        using (var cmd = conn.Command(sql.CaseCounter, tx).With("@node", nodeId).With("@day", day))
        {
            last = cmd.ScalarInt64();
        }

        // The counter row is local; a store rebuilt from the township has lost it, so also look at the cases themselves.
        using (var cmd = conn.Command(sql.LastCaseNumber, tx).With("@from", prefix).With("@past", prefix[..^1] + ".").With("@one", 1))
        {
            if (cmd.ExecuteScalar() is string number && CaseNumbers.TryParse(number, out _, out _, out var counter))
            {
                last = Math.Max(last, counter);
            }
        }

        var next = checked((int)last + 1);
        using (var cmd = conn.Command(sql.WriteCaseCounter, tx).With("@node", nodeId).With("@day", day).With("@last", (long)next))
        {
            cmd.ExecuteNonQuery();
        }

        return CaseNumbers.Format(nodeId, today, next);
    }

    public static (CaseHeader Header, List<CaseEvent> Events)? Load(CaseSql sql, DbConnection conn, DbTransaction? tx, string number)
    {
        CaseHeader? header = null;
        using (var cmd = conn.Command(sql.CaseHeader, tx).With("@n", number))
        {
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
        using (var cmd = conn.Command(sql.CaseEvents, tx).With("@n", number))
        {
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
    public static void WriteView(CaseSql sql, DbConnection conn, DbTransaction? tx, CaseState s, ServiceItem item, DateTimeOffset now)
    {
        using var cmd = conn.Command(sql.WriteCaseView, tx);
        var path = new CasePath(s.Header.IntakeScope);
        cmd.With("@number", s.Number);
        cmd.With("@item", s.Header.ItemCode);
        cmd.With("@intake", s.Header.IntakeNode);
        cmd.With("@township", path.NodeAt(NodeLevel.Township));
        cmd.With("@status", s.Status.ToString());
        cmd.With("@level", (long)s.DecidingLevel);
        cmd.With("@deciding", s.DecidingNode);
        cmd.With("@holder", s.Holder);
        cmd.With("@accepted", CaseRows.Time(s.AcceptedAt));
        cmd.With("@decided", CaseRows.Time(s.DecidedAt));
        cmd.With("@due", s.DueDate is null ? null : CaseRows.Date(s.DueDate));
        cmd.With("@ontime", s.OnTime ? 1L : 0L);
        cmd.With("@neardue", s.NearDue ? 1L : 0L);
        cmd.With("@overdue", s.Overdue ? 1L : 0L);
        cmd.With("@rating", s.Rating is { } rating ? (long)rating : null);
        cmd.With("@conflict", s.HasConflict ? 1L : 0L);
        cmd.With("@submitted", CaseRows.Time(s.Header.SubmittedAt));
        cmd.With("@refreshed", CaseRows.Time(now));
        cmd.With("@spot", s.DecidedOnTheSpot ? 1L : 0L);
        cmd.With("@three", s.DecidedWithinThreeWorkingDays ? 1L : 0L);
        cmd.With("@lead", item.LeadDepartment is { Length: > 0 } lead ? lead : null);
        cmd.With("@derivation", (long)Derivation);
        cmd.ExecuteNonQuery();

        DeleteReviews(sql, conn, tx, s.Number);
        foreach (var g in s.Reviews.GroupBy(r => r.Department, StringComparer.Ordinal))
        {
            using var review = conn.Command(sql.InsertCaseViewReview, tx)
                .With("@n", s.Number).With("@d", g.Key).With("@r", (long)g.Count()).With("@late", (long)g.Count(r => r.AnsweredLate));
            review.ExecuteNonQuery();
        }
    }

    public static void DeleteView(CaseSql sql, DbConnection conn, DbTransaction? tx, string number)
    {
        using var cmd = conn.Command(sql.DeleteCaseView, tx).With("@n", number);
        cmd.ExecuteNonQuery();
        DeleteReviews(sql, conn, tx, number);
    }

    private static void DeleteReviews(CaseSql sql, DbConnection conn, DbTransaction? tx, string number)
    {
        using var cmd = conn.Command(sql.DeleteCaseViewReviews, tx).With("@n", number);
        cmd.ExecuteNonQuery();
    }
}
