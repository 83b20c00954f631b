using System.Data.Common;
using ServiceHall.Core.Calendar;
using ServiceHall.Core.Nodes;
using ServiceHall.Sync.Store;

namespace ServiceHall.Core.Catalogue;

/// <summary>The working calendar's one write path: exceptions to the Monday–Friday week, kept at the city.</summary>
public sealed partial class CatalogueRepository
{
    /// <summary>Longest name of a calendar exception (e.g. "春节", "国庆节调休").</summary>
    public const int MaxCalendarNameLength = 50;

    /// <summary>
    /// Raised INSIDE the write transaction of <see cref="SetCalendarDay"/> and of a <see cref="ClearCalendarDay"/> that removes a
    /// day, after the row is written and before commit, so that what is derived from the calendar (the cases' stored
    /// figures) changes atomically with it. Rows of the calendar that arrive by sync do not raise it: the engine's
    /// <c>SyncStore.Applied</c> hook carries those. A handler that throws rolls the change back.
    /// </summary>
    public event Action<DbConnection, DbTransaction>? CalendarChanged;

    /// <summary>Raises <see cref="CalendarChanged"/> for calendar rows written by another local write path (the seeder).</summary>
    internal void OnCalendarChanged(DbConnection connection, DbTransaction transaction) => CalendarChanged?.Invoke(connection, transaction);

    /// <summary>
    /// The working-calendar exceptions as read on <paramref name="connection"/> inside <paramref name="transaction"/>, so a
    /// calendar row written (or applied by sync) in that transaction and not yet committed is seen.
    /// </summary>
    public IReadOnlyList<CalendarDay> GetCalendar(DbConnection connection, DbTransaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.Command(Sql.CalendarAll, transaction);
        using var r = cmd.ExecuteReader();
        var days = new List<CalendarDay>();
        while (r.Read())
        {
            days.Add(CatalogueRows.ReadCalendarDay(r));
        }

        return days;
    }

    /// <summary>
    /// Records <paramref name="date"/> as a day off or as a make-up working day (city only), replacing an earlier entry
    /// for the date. Captured for sync like every catalogue write, so the change reaches every node.
    /// </summary>
    /// <exception cref="CatalogueException">
    /// <see cref="CatalogueErrorKind.FailedPrecondition"/> away from the city; <see cref="CatalogueErrorKind.InvalidArgument"/>
    /// for a bad name, or a weekday marked as working (it is one already).
    /// </exception>
    public CalendarDay SetCalendarDay(DateOnly date, bool working, string? name)
    {
        RequireCity("The working calendar");
        if (working && date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
        {
            throw new CatalogueException(
                CatalogueErrorKind.InvalidArgument,
                $"{CatalogueRows.DateText(date)} is a {date.DayOfWeek}, a working day already; a make-up working day falls on a weekend.");
        }

        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxCalendarNameLength || name.Any(char.IsControl))
        {
            throw new CatalogueException(CatalogueErrorKind.InvalidArgument, $"A calendar day's name is 1–{MaxCalendarNameLength} characters without control characters.");
        }

        var day = new CalendarDay(date, working, name);
        using var tx = _store.BeginWrite();
        tx.Upsert(CatalogueTables.CalendarDays.Name, CatalogueRows.Values(day));
        OnCalendarChanged(tx.Connection, tx.Transaction);
        tx.Commit();
        return day;
    }

    /// <summary>Removes the exception of <paramref name="date"/> (city only); false if it had none.</summary>
    /// <exception cref="CatalogueException"><see cref="CatalogueErrorKind.FailedPrecondition"/> away from the city.</exception>
    public bool ClearCalendarDay(DateOnly date)
    {
        RequireCity("The working calendar");
        var key = CatalogueRows.DateText(date);
        using var tx = _store.BeginWrite();
        using (var find = tx.Command(Sql.CalendarDayCount).With("@d", key))
        {
            if (find.ScalarInt64() == 0)
            {
                return false; // nothing to remove, and no tombstone to send
            }
        }

        tx.Delete(CatalogueTables.CalendarDays.Name, key);
        OnCalendarChanged(tx.Connection, tx.Transaction);
        tx.Commit();
        return true;
    }

    private void RequireCity(string what)
    {
        if (_node.Level != NodeLevel.City)
        {
            throw new CatalogueException(
                CatalogueErrorKind.FailedPrecondition,
                $"{what} is changed at the city; this node ({_node.NodeId}) is a {NodeLevels.Name(_node.Level)} and holds a copy.");
        }
    }
}
