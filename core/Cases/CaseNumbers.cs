using System.Globalization;

namespace ServiceHall.Core.Cases;

/// <summary>
/// Case numbers: <c>{intake node}-{yyyyMMdd}-{counter:0000}</c>, e.g. <c>t01-v01-20261127-0007</c>. Unique across the
/// network without asking anyone (node ids are unique and each node counts its own cases per local day), readable by a
/// clerk, and showing where the case was taken.
/// </summary>
public static class CaseNumbers
{
    /// <summary>Formats a case number.</summary>
    public static string Format(string nodeId, DateOnly date, int counter)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(counter);
        return string.Create(CultureInfo.InvariantCulture, $"{nodeId}-{date:yyyyMMdd}-{counter:0000}");
    }

    /// <summary>The prefix every number of a node and day starts with.</summary>
    public static string Prefix(string nodeId, DateOnly date) => string.Create(CultureInfo.InvariantCulture, $"{nodeId}-{date:yyyyMMdd}-");

    /// <summary>Reads a case number back into its parts; false if it is not one.</summary>
    public static bool TryParse(string? number, out string nodeId, out DateOnly date, out int counter)
    {
        nodeId = string.Empty;
        date = default;
        counter = 0;
        if (string.IsNullOrEmpty(number))
        {
            return false;
        }

        var last = number.LastIndexOf('-');
        var mid = last > 0 ? number.LastIndexOf('-', last - 1) : -1;
        if (mid <= 0
            || !int.TryParse(number.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out counter)
            || counter <= 0
            || !DateOnly.TryParseExact(number.AsSpan(mid + 1, last - mid - 1), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return false;
        }

        nodeId = number[..mid];
        return true;
    }
}
