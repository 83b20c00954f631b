namespace ServiceHall.Cli.Devnet;

/// <summary>The end of a node's (or the proxy process's) log, for a message that says where to look.</summary>
internal static class LogTail
{
    /// <summary>The last lines of a log, indented, for an error message.</summary>
    public static string Of(string path, int lines = 10)
    {
        try
        {
            var all = File.ReadLines(path).ToList();
            var last = all.TakeLast(lines).ToList();

            // A crash's cause is at the top of its stack trace, which the tail cuts off.
            var cause = all.FindLastIndex(l => l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase));
            if (cause >= 0 && cause < all.Count - lines)
            {
                last.InsertRange(0, [.. all.Skip(cause).Take(2), "…"]);
            }

            return last.Count == 0 ? " (empty)" : Environment.NewLine + "  last lines:" + Environment.NewLine + string.Join(Environment.NewLine, last.Select(l => "  | " + l));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
