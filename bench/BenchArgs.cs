using System.Globalization;

namespace ServiceHall.Bench;

/// <summary>The benchmarks' <c>--name value</c> options.</summary>
internal static class BenchArgs
{
    /// <summary>The integer after <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The number after <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public static double Double(string[] args, string name, double fallback) =>
        Value(args, name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
