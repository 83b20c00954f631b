namespace ServiceHall.Core.Calendar;

/// <summary>
/// One exception to the Monday–Friday working week in the synced working calendar: a day off
/// (放假) on a weekday, or a make-up working day (调休上班) on a weekend.
/// </summary>
/// <param name="Date">The date.</param>
/// <param name="Working">True for a working day, false for a day off.</param>
/// <param name="Name">Holiday name, e.g. 春节.</param>
public sealed record CalendarDay(DateOnly Date, bool Working, string Name);
