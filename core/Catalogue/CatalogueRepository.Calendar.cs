using ServiceHall.Core.Calendar;

namespace ServiceHall.Core.Catalogue;

/// <summary>The working calendar's one write path: exceptions to the Monday–Friday week, kept at the city.</summary>
public sealed partial class CatalogueRepository
{
    /// <summary>Longest name of a calendar exception (e.g. "春节", "国庆节调休").</summary>
    public const int MaxCalendarNameLength = 50;

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
        using (var find = tx.Connection.CreateCommand())
        {
            find.Transaction = tx.Transaction;
            find.CommandText = "SELECT COUNT(*) FROM calendar_days WHERE date = @d";
            find.Parameters.AddWithValue("@d", key);
            if (Convert.ToInt64(find.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return false; // nothing to remove, and no tombstone to send
            }
        }

        tx.Delete(CatalogueTables.CalendarDays.Name, key);
        tx.Commit();
        return true;
    }

    private void RequireCity(string what)
    {
        if (_node.Level != NodeLevel.City)
        {
            throw new CatalogueException(
                CatalogueErrorKind.FailedPrecondition,
                $"{what} is changed at the city; this node ({_node.NodeId}) is a {CatalogueRows.LevelText(_node.Level)} and holds a copy.");
        }
    }
}
