using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ServiceHall.Cli.Output;

/// <summary>Spectre.Console tables with plain-text cells (node data is never interpreted as markup).</summary>
internal static class Tables
{
    /// <summary>A table with the given column headers.</summary>
    public static Table Create(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in columns)
        {
            table.AddColumn(new TableColumn(new Text(c)));
        }

        return table;
    }

    /// <summary>Adds one row of plain text cells.</summary>
    public static void Row(Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? string.Empty)).ToArray());

    /// <summary>Writes a table to stdout.</summary>
    public static void Write(Table table)
    {
        // Redirected output (scripts, logs, tests) has no terminal width; Spectre would assume 80
        // columns and wrap paths mid-word, so give it room instead.
        if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < RedirectedWidth)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }

        AnsiConsole.Write(table);
    }

    private const int RedirectedWidth = 240;

    /// <summary>A timestamp for a table cell: ISO 8601 UTC to the second, "-" when unset.</summary>
    public static string Time(DateTimeOffset? t) =>
        t is null ? "-" : t.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An integer for a table cell.</summary>
    public static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
