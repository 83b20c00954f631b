using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace ServiceHall.Web.Charts;

/// <summary>One bar: its label, its value (scaled against the chart's maximum) and the text printed after it.</summary>
public sealed record Bar(string Label, double Value, string Text);

/// <summary>One node of the sync map.</summary>
/// <param name="Id">Node id.</param>
/// <param name="ParentId">Parent node id; null for the root of the map.</param>
/// <param name="State"><c>online</c>, <c>offline</c>, <c>never</c>, or <c>self</c> for the node drawing the map.</param>
/// <param name="Caption">Second line under the id (e.g. offline since).</param>
public sealed record MapNode(string Id, string? ParentId, string State, string Caption);

/// <summary>Charts drawn by the node as inline SVG (no script, no external asset); every text is HTML-encoded.</summary>
public static class SvgCharts
{
    private const int LabelWidth = 170;
    private const int BarArea = 300;
    private const int RowHeight = 24;

    /// <summary>A horizontal bar chart; <paramref name="max"/> is the value of a full bar (at least the largest value).</summary>
    public static IHtmlContent Bars(string id, string title, IReadOnlyList<Bar> bars, double max, string color = "#1f5fa8")
    {
        ArgumentNullException.ThrowIfNull(bars);
        var enc = HtmlEncoder.Default;
        var full = Math.Max(max, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        full = full <= 0 ? 1 : full;
        var height = 28 + (Math.Max(bars.Count, 1) * RowHeight);
        var width = LabelWidth + BarArea + 90;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg id=\"{enc.Encode(id)}\" class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"));
        svg.Append(Inv($"<title>{enc.Encode(title)}</title><text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"600\" fill=\"#1d2733\">{enc.Encode(title)}</text>"));
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = 28 + (i * RowHeight);
            var w = Math.Max(0, b.Value / full * BarArea);
            svg.Append(Inv($"<text x=\"{LabelWidth - 6}\" y=\"{y + 15}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2733\">{enc.Encode(Clip(b.Label))}</text>"));
            svg.Append(Inv($"<rect x=\"{LabelWidth}\" y=\"{y + 3}\" width=\"{BarArea}\" height=\"16\" fill=\"#eef2f6\"/>"));
            svg.Append(Inv($"<rect x=\"{LabelWidth}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"16\" fill=\"{color}\"/>"));
            svg.Append(Inv($"<text x=\"{LabelWidth + BarArea + 6}\" y=\"{y + 15}\" font-size=\"12\" fill=\"#1d2733\">{enc.Encode(b.Text)}</text>"));
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    /// <summary>
    /// The sync map: the node drawing it on top, then one row per child (a township) with the child's own children (its
    /// villages) beside it, each box coloured by its link state. Rows keep a city of 21 townships and 100+ stations on one screen.
    /// </summary>
    public static IHtmlContent Map(string id, string title, IReadOnlyList<MapNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var enc = HtmlEncoder.Default;
        var byParent = nodes.Where(n => n.ParentId is not null).ToLookup(n => n.ParentId!, StringComparer.Ordinal);
        var root = nodes.FirstOrDefault(n => n.ParentId is null || nodes.All(p => p.Id != n.ParentId));
        var rows = root is null ? [] : byParent[root.Id].ToList();
        const int boxW = 96, boxH = 38, gap = 6, rowH = boxH + gap, top = 52;
        var perRow = rows.Count == 0 ? 0 : rows.Max(r => byParent[r.Id].Count());
        var width = Math.Max(2 + perRow, 3) * (boxW + gap) + 16;
        var height = top + (rows.Count * rowH) + 4;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg id=\"{enc.Encode(id)}\" class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"));
        svg.Append(Inv($"<title>{enc.Encode(title)}</title>"));
        if (root is not null)
        {
            Box(svg, enc, root, 0, 0);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var y = top + (i * rowH);
            svg.Append(Inv($"<line x1=\"{boxW / 2}\" y1=\"{y - gap}\" x2=\"{boxW / 2}\" y2=\"{y + (boxH / 2)}\" stroke=\"#a9b6c4\" stroke-width=\"2\"/>"));
            svg.Append(Inv($"<line x1=\"{boxW / 2}\" y1=\"{y + (boxH / 2)}\" x2=\"{boxW + gap + 8}\" y2=\"{y + (boxH / 2)}\" stroke=\"#a9b6c4\" stroke-width=\"2\"/>"));
            Box(svg, enc, rows[i], boxW + gap + 8, y);
            var x = (2 * (boxW + gap)) + 16;
            foreach (var leaf in byParent[rows[i].Id])
            {
                Box(svg, enc, leaf, x, y);
                x += boxW + gap;
            }
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static void Box(StringBuilder svg, HtmlEncoder enc, MapNode n, double x, double y)
    {
        const int boxW = 96, boxH = 38;
        var fill = n.State switch { "online" => "#2e7d32", "offline" => "#b3261e", "self" => "#1f5fa8", _ => "#8a96a3" };
        svg.Append(Inv($"<g class=\"map-node\" data-node=\"{enc.Encode(n.Id)}\" data-state=\"{enc.Encode(n.State)}\">"));
        svg.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{boxW}\" height=\"{boxH}\" rx=\"5\" fill=\"{fill}\"/>"));
        svg.Append(Inv($"<text x=\"{x + (boxW / 2):0.#}\" y=\"{y + 16:0.#}\" font-size=\"12\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#fff\">{enc.Encode(n.Id)}</text>"));
        svg.Append(Inv($"<text x=\"{x + (boxW / 2):0.#}\" y=\"{y + 31:0.#}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\">{enc.Encode(Clip(n.Caption, 16))}</text>"));
        svg.Append("</g>");
    }

    private static string Clip(string s, int max = 14) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
