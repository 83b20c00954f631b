namespace ServiceHall.Core.Calendar;

/// <summary>A span during which a case's clock is stopped (补正 correction, or a special procedure under Art. 45), by local date.</summary>
/// <param name="From">Day the pause began (the clock had run that day).</param>
/// <param name="To">Day the pause ended, or null if it is still open.</param>
public readonly record struct PausedInterval(DateOnly From, DateOnly? To);

/// <summary>
/// Working-day arithmetic over the synced working calendar (工作日历). A weekday is a working day unless
/// the calendar lists it as a day off (放假); a Saturday or Sunday is a day off unless the calendar lists it
/// as a make-up working day (调休上班). Dates are local (the hall's time zone, <see cref="UtcOffset"/>).
/// <para>
/// Counting rule (Administrative Licensing Law Art. 82, as applied by the halls): the day of an event does
/// not count; the count starts on the next working day. A due date N working days after acceptance is the
/// N-th working day after the acceptance day; for N = 0 (on-the-spot, 即办件) it is the acceptance day itself.
/// A pause removes the working days in (pause start, pause end]: the clock resumes on the next working day
/// after the materials are supplied, mirroring the acceptance rule.
/// </para>
/// </summary>
public sealed class WorkingCalendar
{
    /// <summary>Offset of China Standard Time (no daylight saving), the default local time of every node.</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private readonly Dictionary<DateOnly, bool> _exceptions;

    /// <summary>Creates a calendar from the synced exception days.</summary>
    /// <param name="exceptions">Days off on weekdays and make-up working days on weekends; other days follow the Monday–Friday week.</param>
    /// <param name="utcOffset">Local offset used to turn instants into dates; defaults to China Standard Time (+08:00).</param>
    public WorkingCalendar(IEnumerable<CalendarDay> exceptions, TimeSpan? utcOffset = null)
    {
        ArgumentNullException.ThrowIfNull(exceptions);
        _exceptions = [];
        foreach (var d in exceptions)
        {
            _exceptions[d.Date] = d.Working;
        }

        UtcOffset = utcOffset ?? ChinaStandardTime;
    }

    /// <summary>Local offset from UTC of the hall's dates.</summary>
    public TimeSpan UtcOffset { get; }

    /// <summary>The local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(UtcOffset).DateTime);

    /// <summary>True if <paramref name="date"/> is a working day.</summary>
    public bool IsWorkingDay(DateOnly date)
    {
        if (_exceptions.TryGetValue(date, out var working))
        {
            return working;
        }

        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The <paramref name="workingDays"/>-th working day after <paramref name="start"/> (the start day does not count);
    /// <paramref name="start"/> itself for 0.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly start, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        var d = start;
        var left = workingDays;
        while (left > 0)
        {
            d = d.AddDays(1);
            if (IsWorkingDay(d))
            {
                left--;
            }
        }

        return d;
    }

    /// <summary>
    /// Working days in (<paramref name="from"/>, <paramref name="to"/>]: how many working days have passed from one
    /// day to another. Negative (the count of (<paramref name="to"/>, <paramref name="from"/>]) when <paramref name="to"/> is earlier.
    /// </summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            return -WorkingDaysBetween(to, from);
        }

        var n = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
        {
            if (IsWorkingDay(d))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>
    /// Working days the clock stood still, counting each working day once even if pauses overlap. An open pause
    /// runs to <paramref name="today"/>.
    /// </summary>
    public int PausedWorkingDays(IEnumerable<PausedInterval> pauses, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(pauses);
        var days = new HashSet<DateOnly>();
        foreach (var p in pauses)
        {
            var end = p.To ?? today;
            for (var d = p.From.AddDays(1); d <= end; d = d.AddDays(1))
            {
                if (IsWorkingDay(d))
                {
                    days.Add(d);
                }
            }
        }

        return days.Count;
    }

    /// <summary>
    /// Due date of a time limit: <paramref name="limitDays"/> working days after <paramref name="accepted"/>, moved later by
    /// every paused working day (an open pause counts up to <paramref name="today"/>).
    /// </summary>
    public DateOnly Deadline(DateOnly accepted, int limitDays, IEnumerable<PausedInterval> pauses, DateOnly today) =>
        AddWorkingDays(accepted, limitDays + PausedWorkingDays(pauses, today));
}
