using ServiceHall.Core.Calendar;

namespace ServiceHall.Core.Tests.Calendar;

/// <summary>Test data: the 2026 working calendar of the brief (State Council notice on the 2026 public holidays).</summary>
internal static class Calendar2026
{
    public static IReadOnlyList<CalendarDay> Days { get; } = Build();

    public static WorkingCalendar Calendar { get; } = new(Days);

    public static DateOnly D(int month, int day) => new(2026, month, day);

    private static List<CalendarDay> Build()
    {
        var days = new List<CalendarDay>();
        void Off(string name, int m1, int d1, int m2, int d2)
        {
            for (var d = D(m1, d1); d <= D(m2, d2); d = d.AddDays(1))
            {
                days.Add(new CalendarDay(d, false, name));
            }
        }

        void Work(string name, int m, int d) => days.Add(new CalendarDay(D(m, d), true, name));

        Off("元旦", 1, 1, 1, 3);
        Work("元旦", 1, 4);
        Off("春节", 2, 15, 2, 23);
        Work("春节", 2, 14);
        Work("春节", 2, 28);
        Off("清明节", 4, 4, 4, 6);
        Off("劳动节", 5, 1, 5, 5);
        Work("劳动节", 5, 9);
        Off("端午节", 6, 19, 6, 21);
        Off("中秋节", 9, 25, 9, 27);
        Off("国庆节", 10, 1, 10, 7);
        Work("国庆节", 9, 20);
        Work("国庆节", 10, 10);
        return days;
    }
}
