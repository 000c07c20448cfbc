using System.Globalization;
using System.Security;
using System.Text;

namespace Jepa.Verify.Cli.Reports;

/// <summary>Self-contained SVG figures (no scripts, no external fonts): latent scatter plots and distance heatmaps.</summary>
internal static class SvgFigures
{
    /// <summary>Nine colours that stay apart for counts 0–8 (Okabe–Ito plus two).</summary>
    public static readonly string[] Palette = ["#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#7f7f7f"];

    /// <summary>The most rows and columns a heatmap draws; larger inputs are subsampled evenly.</summary>
    public const int MaxHeatmapSide = 144;

    /// <summary>A scatter plot of 2-D points, one colour per group, with a legend.</summary>
    /// <param name="title">The caption on top.</param>
    /// <param name="xy">Row-major (x, y) pairs.</param>
    /// <param name="groups">A group index 0–8 per point (its colour).</param>
    /// <param name="groupName">The legend text of a group.</param>
    /// <param name="axes">Axis captions (x, y).</param>
    public static string Scatter(string title, IReadOnlyList<double> xy, IReadOnlyList<int> groups, Func<int, string> groupName, (string X, string Y) axes)
    {
        const double width = 520, height = 440, left = 50, top = 40, plot = 360;
        var n = groups.Count;
        var (minX, maxX, minY, maxY) = (double.MaxValue, double.MinValue, double.MaxValue, double.MinValue);
        for (var i = 0; i < n; i++)
        {
            (minX, maxX) = (Math.Min(minX, xy[2 * i]), Math.Max(maxX, xy[2 * i]));
            (minY, maxY) = (Math.Min(minY, xy[(2 * i) + 1]), Math.Max(maxY, xy[(2 * i) + 1]));
        }

        // One scale for both axes, so distances in the picture are distances in the latent plane.
        var span = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-30);
        double X(double v) => left + 10 + ((v - minX) / span * (plot - 20));
        double Y(double v) => top + plot - 10 - ((v - minY) / span * (plot - 20));
        var sb = Begin(width, height, title);
        sb.Append(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{plot}\" height=\"{plot}\" fill=\"#ffffff\" stroke=\"#444444\"/>\n"));
        sb.Append(Invariant($"<text x=\"{left + (plot / 2)}\" y=\"{top + plot + 24}\" text-anchor=\"middle\">{Escape(axes.X)}</text>\n"));
        sb.Append(Invariant($"<text x=\"16\" y=\"{top + (plot / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {top + (plot / 2)})\">{Escape(axes.Y)}</text>\n"));
        for (var i = 0; i < n; i++)
        {
            sb.Append(Invariant($"<circle cx=\"{X(xy[2 * i]):0.##}\" cy=\"{Y(xy[(2 * i) + 1]):0.##}\" r=\"4\" fill=\"{Palette[groups[i] % Palette.Length]}\" fill-opacity=\"0.75\"/>\n"));
        }

        var present = groups.Distinct().Order().ToArray();
        for (var k = 0; k < present.Length; k++)
        {
            var y = top + 12 + (k * 20);
            sb.Append(Invariant($"<circle cx=\"{left + plot + 20}\" cy=\"{y - 4}\" r=\"5\" fill=\"{Palette[present[k] % Palette.Length]}\"/>"));
            sb.Append(Invariant($"<text x=\"{left + plot + 32}\" y=\"{y}\">{Escape(groupName(present[k]))}</text>\n"));
        }

        return End(sb);
    }

    /// <summary>
    /// A heatmap of the pairwise distances of the rows of <paramref name="points"/>, in the given
    /// order, with lines between groups; darker is closer. At most <see cref="MaxHeatmapSide"/> rows
    /// are drawn (evenly spaced in the order given).
    /// </summary>
    /// <param name="title">The caption on top.</param>
    /// <param name="points">Row-major points, <paramref name="dim"/> per row.</param>
    /// <param name="dim">Coordinates per point.</param>
    /// <param name="order">The rows to draw, in drawing order (sorted by group).</param>
    /// <param name="groups">The group of every row (boundaries are drawn where it changes along the order).</param>
    /// <param name="scale">Distances are shown divided by this (e.g. the RMS latent norm).</param>
    public static string Heatmap(string title, IReadOnlyList<float> points, int dim, IReadOnlyList<int> order, IReadOnlyList<int> groups, double scale)
    {
        var shown = order.Count <= MaxHeatmapSide
            ? [.. order]
            : Enumerable.Range(0, MaxHeatmapSide).Select(i => order[(int)((long)i * order.Count / MaxHeatmapSide)]).ToArray();
        var m = shown.Length;
        var d = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var k = 0; k < dim; k++)
                {
                    var diff = points[(shown[i] * dim) + k] - points[(shown[j] * dim) + k];
                    s += diff * diff;
                }

                d[(i * m) + j] = Math.Sqrt(s) / (scale > 0 ? scale : 1);
            }
        }

        var max = Math.Max(d.Max(), 1e-30);
        const double left = 40, top = 40, side = 400;
        var cell = side / Math.Max(m, 1);
        var sb = Begin(left + side + 90, top + side + 40, title);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                sb.Append(Invariant($"<rect x=\"{left + (j * cell):0.##}\" y=\"{top + (i * cell):0.##}\" width=\"{cell + 0.05:0.##}\" height=\"{cell + 0.05:0.##}\" fill=\"{Ramp(d[(i * m) + j] / max)}\"/>"));
            }

            sb.Append('\n');
        }

        for (var i = 1; i < m; i++)
        {
            if (groups[shown[i]] != groups[shown[i - 1]])
            {
                var at = i * cell;
                sb.Append(Invariant($"<line x1=\"{left + at:0.##}\" y1=\"{top}\" x2=\"{left + at:0.##}\" y2=\"{top + side}\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>"));
                sb.Append(Invariant($"<line x1=\"{left}\" y1=\"{top + at:0.##}\" x2=\"{left + side}\" y2=\"{top + at:0.##}\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>\n"));
            }
        }

        // Group captions along the left edge, at the middle of each run.
        for (var start = 0; start < m;)
        {
            var end = start;
            while (end + 1 < m && groups[shown[end + 1]] == groups[shown[start]])
            {
                end++;
            }

            sb.Append(Invariant($"<text x=\"{left - 6}\" y=\"{top + (((start + end + 1) / 2.0) * cell) + 4:0.##}\" text-anchor=\"end\">{groups[shown[start]]}</text>\n"));
            start = end + 1;
        }

        for (var k = 0; k <= 10; k++)
        {
            var y = top + side - (k * side / 10);
            sb.Append(Invariant($"<rect x=\"{left + side + 20}\" y=\"{y - (side / 10):0.##}\" width=\"16\" height=\"{(side / 10) + 0.5:0.##}\" fill=\"{Ramp(Math.Min(k / 10.0, 1))}\"/>"));
        }

        sb.Append(Invariant($"<text x=\"{left + side + 40}\" y=\"{top + 10}\">{max:G3}</text><text x=\"{left + side + 40}\" y=\"{top + side}\">0</text>\n"));
        return End(sb);
    }

    /// <summary>A dark-to-light colour ramp (viridis-like) for t in [0, 1].</summary>
    private static string Ramp(double t)
    {
        (double R, double G, double B)[] stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];
        t = Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1) * (stops.Length - 1);
        var i = Math.Min((int)t, stops.Length - 2);
        var f = t - i;
        int C(double a, double b) => (int)Math.Round(a + ((b - a) * f));
        return Invariant($"#{C(stops[i].R, stops[i + 1].R):x2}{C(stops[i].G, stops[i + 1].G):x2}{C(stops[i].B, stops[i + 1].B):x2}");
    }

    private static StringBuilder Begin(double width, double height, string title)
    {
        var sb = new StringBuilder();
        sb.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"#fafafa\"/>\n"));
        sb.Append(Invariant($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n"));
        return sb;
    }

    private static string End(StringBuilder sb) => sb.Append("</svg>\n").ToString();

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
