using ServiceHall.Core.Calendar;
using static ServiceHall.Core.Tests.Calendar.Calendar2026;

namespace ServiceHall.Core.Tests.Calendar;

public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Cal = Calendar2026.Calendar;

    [Theory]
    [InlineData(3, 4, true)] // ordinary Wednesday
    [InlineData(3, 7, false)] // ordinary Saturday
    [InlineData(2, 16, false)] // Spring Festival Monday
    [InlineData(2, 14, true)] // make-up Saturday
    [InlineData(2, 28, true)] // make-up Saturday
    [InlineData(9, 20, true)] // make-up Sunday before National Day
    [InlineData(10, 10, true)] // make-up Saturday after National Day
    [InlineData(10, 11, false)] // ordinary Sunday after it
    [InlineData(10, 5, false)] // National Day Monday
    [InlineData(1, 4, true)] // New Year make-up Sunday
    public void IsWorkingDay_2026Calendar_FollowsExceptions(int month, int day, bool expected) =>
        Assert.Equal(expected, Cal.IsWorkingDay(D(month, day)));

    [Fact]
    public void IsWorkingDay_NoExceptions_MondayToFriday()
    {
        var plain = new WorkingCalendar([]);
        Assert.True(plain.IsWorkingDay(D(10, 1)));
        Assert.False(plain.IsWorkingDay(D(10, 10)));
    }

    [Fact]
    public void AddWorkingDays_Zero_ReturnsSameDay() => Assert.Equal(D(3, 4), Cal.AddWorkingDays(D(3, 4), 0));

    [Fact]
    public void AddWorkingDays_Negative_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => Cal.AddWorkingDays(D(3, 4), -1));

    [Fact]
    public void AddWorkingDays_AcrossSpringFestival_SkipsHolidayAndCountsMakeUpSaturday()
    {
        Assert.Equal(D(2, 14), Cal.AddWorkingDays(D(2, 13), 1));
        Assert.Equal(D(2, 24), Cal.AddWorkingDays(D(2, 13), 2));
    }

    [Fact]
    public void AddWorkingDays_AcrossNationalDay_CountsMakeUpSundayAndSaturday()
    {
        Assert.Equal(D(9, 20), Cal.AddWorkingDays(D(9, 18), 1));
        Assert.Equal(D(9, 21), Cal.AddWorkingDays(D(9, 18), 2));
        Assert.Equal(D(10, 8), Cal.AddWorkingDays(D(9, 30), 1));
        Assert.Equal(D(10, 10), Cal.AddWorkingDays(D(9, 30), 3));
        Assert.Equal(D(10, 12), Cal.AddWorkingDays(D(9, 30), 4));
    }

    [Fact]
    public void AddWorkingDays_AcceptedOnHoliday_CountStartsNextWorkingDay() =>
        Assert.Equal(D(2, 24), Cal.AddWorkingDays(D(2, 18), 1));

    [Fact]
    public void AddWorkingDays_ConstructionProject32DaysOverAutumnHolidays_LandsOct21() =>
        Assert.Equal(D(10, 21), Cal.AddWorkingDays(D(9, 1), 32));

    [Fact]
    public void WorkingDaysBetween_AcrossNationalDay_CountsOnlyWorkingDays()
    {
        Assert.Equal(4, Cal.WorkingDaysBetween(D(9, 30), D(10, 12)));
        Assert.Equal(-4, Cal.WorkingDaysBetween(D(10, 12), D(9, 30)));
        Assert.Equal(0, Cal.WorkingDaysBetween(D(10, 3), D(10, 3)));
    }

    [Fact]
    public void WorkingDaysBetween_IsInverseOfAddWorkingDays()
    {
        for (var n = 0; n < 60; n++)
        {
            Assert.Equal(n, Cal.WorkingDaysBetween(D(9, 10), Cal.AddWorkingDays(D(9, 10), n)));
        }
    }

    [Fact]
    public void Deadline_NoPause_IsAddWorkingDays() =>
        Assert.Equal(D(9, 20), Cal.Deadline(D(9, 14), 5, [], D(9, 14)));

    [Fact]
    public void Deadline_ClosedPauseOverMakeUpSunday_ExtendsByPausedWorkingDays()
    {
        // Paused working days in (Sep 16, Sep 22]: 17, 18, 20 (make-up Sunday), 21, 22 = 5; Sep 25–27 are Mid-Autumn.
        var pause = new PausedInterval(D(9, 16), D(9, 22));
        Assert.Equal(5, Cal.PausedWorkingDays([pause], D(9, 30)));
        Assert.Equal(D(9, 28), Cal.Deadline(D(9, 14), 5, [pause], D(9, 30)));
    }

    [Fact]
    public void Deadline_OpenPause_RunsToToday()
    {
        var pause = new PausedInterval(D(9, 16), null);
        Assert.Equal(2, Cal.PausedWorkingDays([pause], D(9, 18)));
        Assert.Equal(D(9, 22), Cal.Deadline(D(9, 14), 5, [pause], D(9, 18))); // 15,16 | 17,18 paused | 20,21,22
    }

    [Fact]
    public void Deadline_OverlappingPauses_CountEachDayOnce()
    {
        PausedInterval[] pauses = [new(D(3, 2), D(3, 5)), new(D(3, 4), D(3, 6))];
        Assert.Equal(4, Cal.PausedWorkingDays(pauses, D(3, 31)));
    }

    [Fact]
    public void Deadline_PauseOverSpringFestival_CountsOnlyMakeUpDays()
    {
        // (Feb 13, Feb 24]: Feb 14 (make-up) and Feb 24 only.
        var pause = new PausedInterval(D(2, 13), D(2, 24));
        Assert.Equal(2, Cal.PausedWorkingDays([pause], D(3, 1)));
    }

    [Fact]
    public void LocalDate_UtcEveningIsNextDayInChina() =>
        Assert.Equal(D(11, 27), Cal.LocalDate(new DateTimeOffset(2026, 11, 26, 17, 0, 0, TimeSpan.Zero)));
}
