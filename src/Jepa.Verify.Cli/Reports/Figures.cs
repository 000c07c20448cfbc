using Jepa.Verify.Learning.Jepa;
using Jepa.Verify.Mdp.Formats;
using ScottPlot;

namespace Jepa.Verify.Cli.Reports;

/// <summary>
/// The figures of <c>train --plot</c>, <c>experiment</c> and <c>demo</c>, drawn by ScottPlot and saved as PNG and SVG:
/// a PCA scatter of latents coloured by a label, the label-sorted heatmap of latent distances, and loss curves.
/// </summary>
internal static class Figures
{
    /// <summary>Pixel size of every saved figure: text stays readable when the PNG is shown 600 px wide.</summary>
    public const int Width = 800, Height = 600;

    /// <summary>The most groups a scatter plot names in its legend (outside the plot, so it never covers a point).</summary>
    public const int MaxLegendGroups = 30;

    /// <summary>The smallest distance a heatmap tells apart from 0: its log colour scale starts at log10 of it (−4).</summary>
    public const double HeatmapFloor = 1e-4;

    /// <summary>The most rows and columns a heatmap draws; larger inputs are subsampled evenly.</summary>
    public const int MaxHeatmapSide = 144;

    /// <summary>
    /// The font every figure uses. SkiaSharp's Linux build without dependencies has no font lookup, so the family is
    /// registered from its file (Debian's <c>fonts-dejavu-core</c>, which the launcher installs).
    /// </summary>
    private const string FontFamily = "DejaVu Sans";

    private static readonly string[] FontFiles = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"];

    /// <summary>
    /// Thirty colours, no two alike: the first nine (Okabe–Ito plus two) keep counts 0–8 apart as before, the rest are
    /// distinct hues and shades; with <see cref="Markers"/> the first repeat of a colour and marker comes after 120 groups.
    /// </summary>
    private static readonly Color[] Palette = [.. new[]
    {
        "#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#7f7f7f",
        "#8c564b", "#17becf", "#bcbd22", "#9467bd", "#ff9896", "#98df8a", "#aec7e8", "#ffbb78", "#c5b0d5",
        "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1",
        "#fd8d3c", "#9ecae1", "#e7969c",
    }.Select(Color.FromHex)];

    /// <summary>Marker shapes, changed every <see cref="Palette"/>-length groups, so groups past thirty still differ.</summary>
    private static readonly MarkerShape[] Markers = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond];

    private static readonly Lazy<bool> FontRegistered = new(() =>
    {
        var found = false;
        foreach (var (file, bold) in FontFiles.Zip([false, true]))
        {
            if (File.Exists(file))
            {
                Fonts.AddFontFile(FontFamily, file, bold, italic: false);
                found |= !bold;
            }
        }

        return found;
    });

    /// <summary>A scatter plot of 2-D points, one colour per group, with a legend and equal units on both axes.</summary>
    /// <param name="title">The caption on top.</param>
    /// <param name="xy">Row-major (x, y) pairs.</param>
    /// <param name="groups">A group index per point (its colour).</param>
    /// <param name="groupName">The legend text of a group.</param>
    /// <param name="axes">Axis captions (x, y).</param>
    public static Plot Scatter(string title, IReadOnlyList<double> xy, IReadOnlyList<int> groups, Func<int, string> groupName, (string X, string Y) axes)
    {
        var plot = New(title, axes.X, axes.Y);
        foreach (var g in groups.Distinct().Order())
        {
            var members = Enumerable.Range(0, groups.Count).Where(i => groups[i] == g).ToArray();
            var points = plot.Add.ScatterPoints(members.Select(i => xy[2 * i]).ToArray(), members.Select(i => xy[(2 * i) + 1]).ToArray(), Palette[g % Palette.Length].WithAlpha(0.8));
            points.MarkerSize = 9;
            points.MarkerShape = Markers[(g / Palette.Length) % Markers.Length];
            points.LegendText = groupName(g);
        }

        // One scale for both axes, so distances in the picture are distances in the latent plane. The legend stands
        // outside the plot on the right (it never covers a point); past MaxLegendGroups it would not fit and is left out.
        plot.Axes.SquareUnits();
        if (groups.Distinct().Count() <= MaxLegendGroups)
        {
            plot.ShowLegend(Edge.Right);
        }
        return plot;
    }

    /// <summary>
    /// A heatmap of the pairwise distances of the rows of <paramref name="points"/>, in the given order (sorted by group),
    /// with white lines between groups and a log colour bar (from <see cref="HeatmapFloor"/>); darker is closer. At most <see cref="MaxHeatmapSide"/> rows
    /// are drawn (evenly spaced in the order given).
    /// </summary>
    /// <param name="title">The caption on top.</param>
    /// <param name="points">Row-major points, <paramref name="dim"/> per row.</param>
    /// <param name="dim">Coordinates per point.</param>
    /// <param name="order">The rows to draw, in drawing order.</param>
    /// <param name="groups">The group of every row (boundaries are drawn where it changes along the order).</param>
    /// <param name="groupCaption">What the groups are, for the axis labels (e.g. <c>count</c>).</param>
    /// <param name="scale">Distances are shown divided by this (e.g. the RMS latent norm); 0 or less shows them as they are.</param>
    public static Plot Heatmap(string title, IReadOnlyList<float> points, int dim, IReadOnlyList<int> order, IReadOnlyList<int> groups, string groupCaption, double scale)
    {
        var shown = order.Count <= MaxHeatmapSide
            ? [.. order]
            : Enumerable.Range(0, MaxHeatmapSide).Select(i => order[(int)((long)i * order.Count / MaxHeatmapSide)]).ToArray();
        var m = shown.Length;
        var d = new double[m, m];
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

                // A log scale, floored at 1e-4, so a collapse at 1e-3 stands out from distances of order 1.
                d[i, j] = Math.Log10(Math.Max(HeatmapFloor, Math.Sqrt(s) / (scale > 0 ? scale : 1)));
            }
        }

        var plot = New(title, $"observations sorted by {groupCaption}", $"observations sorted by {groupCaption}");
        var heatmap = plot.Add.Heatmap(d);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Rectangle = new CoordinateRect(0, m, 0, m); // row i spans y ∈ [m−i−1, m−i], column j spans x ∈ [j, j+1]
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = scale > 0 ? "log10(distance / RMS latent norm)" : "log10(distance)";

        // Group boundaries, and one tick per group at the middle of its run, labelled with the group.
        var ticks = new List<Tick>();
        for (var start = 0; start < m;)
        {
            var end = start;
            while (end + 1 < m && groups[shown[end + 1]] == groups[shown[start]])
            {
                end++;
            }

            var middle = (start + end + 1) / 2.0;
            var label = groups[shown[start]].ToString(System.Globalization.CultureInfo.InvariantCulture);
            ticks.Add(Tick.Major(middle, label));
            if (start > 0)
            {
                plot.Add.VerticalLine(start, 1, Colors.White);
                plot.Add.HorizontalLine(m - start, 1, Colors.White);
            }

            start = end + 1;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(t => Tick.Major(m - t.Position, t.Label))]);
        plot.Axes.SetLimits(0, m, 0, m);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        return plot;
    }

    /// <summary>
    /// The full-data losses over training, L_dyn and L_p on a log₁₀ axis, with the loss target as a dashed line.
    /// Zero or non-finite losses are left out (a log axis cannot show them).
    /// </summary>
    /// <param name="title">The caption on top.</param>
    /// <param name="history">The losses at each evaluation.</param>
    /// <param name="target">The near-zero target, or null.</param>
    public static Plot LossCurves(string title, IReadOnlyList<LossPoint> history, double? target)
    {
        var plot = New(title, "training step", "full-data loss (log scale)");
        foreach (var (name, value, color) in new (string, Func<LossPoint, double>, Color)[]
                 {
                     ("L_dyn (transition)", p => p.LossDyn, Palette[5]),
                     ("L_p (aux)", p => p.LossAux, Palette[6]),
                 })
        {
            var kept = history.Where(p => value(p) > 0 && double.IsFinite(value(p))).ToArray();
            if (kept.Length == 0)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(kept.Select(p => (double)p.Step).ToArray(), kept.Select(p => Math.Log10(value(p))).ToArray(), color);
            line.LineWidth = 2;
            line.MarkerSize = kept.Length <= 60 ? 5 : 0;
            line.LegendText = name;
        }

        if (target is > 0 and var t && double.IsFinite(t))
        {
            var line = plot.Add.HorizontalLine(Math.Log10(t), 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = $"target {t:G2}";
        }

        // Ticks at powers of ten, labelled as such, with log-spaced minor ticks between them.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Grid.MinorLineWidth = 1;
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Writes <c>NAME.png</c>: images side by side in rows (e.g. probe images above their reconstructions), each
    /// channel-major RGB <c>[3, size, size]</c> in feature units (<c>v/255 − 0.5</c>, clamped), enlarged to about 96 px.
    /// </summary>
    /// <returns>The file name.</returns>
    public static string SaveImageGrid(IReadOnlyList<float[]> rows, int size, string directory, string name)
    {
        var plane = size * size;
        var columns = rows.Max(r => r.Length / (3 * plane));
        var zoom = Math.Max(1, 96 / size);
        const int gap = 4;
        var cell = (size * zoom) + gap;
        using var bitmap = new SkiaSharp.SKBitmap((columns * cell) + gap, (rows.Count * cell) + gap);
        bitmap.Erase(SkiaSharp.SKColors.White);
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < rows[r].Length / (3 * plane); c++)
            {
                for (var y = 0; y < size * zoom; y++)
                {
                    for (var x = 0; x < size * zoom; x++)
                    {
                        var at = (c * 3 * plane) + ((y / zoom) * size) + (x / zoom);
                        byte Channel(int ch) => (byte)Math.Clamp((int)MathF.Round((rows[r][at + (ch * plane)] + 0.5f) * 255f), 0, 255);
                        bitmap.SetPixel(gap + (c * cell) + x, gap + (r * cell) + y, new SkiaSharp.SKColor(Channel(0), Channel(1), Channel(2)));
                    }
                }
            }
        }

        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var png = name + ".png";
        AtomicFile.Write(Path.Combine(directory, png), s => data.SaveTo(s));
        return png;
    }

    /// <summary>Writes <paramref name="plot"/> as <c>NAME.png</c> and <c>NAME.svg</c> into <paramref name="directory"/>, each atomically.</summary>
    /// <returns>The two file names.</returns>
    public static IReadOnlyList<string> Save(Plot plot, string directory, string name)
    {
        var png = name + ".png";
        var svg = name + ".svg";
        var bytes = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(Path.Combine(directory, png), s => s.Write(bytes));
        AtomicFile.WriteAllText(Path.Combine(directory, svg), plot.GetSvgXml(Width, Height));
        return [png, svg];
    }

    private static Plot New(string title, string x, string y)
    {
        var plot = new Plot();
        if (RegisterFonts())
        {
            plot.Font.Set(FontFamily);
        }

        plot.Title(title, 16);
        plot.XLabel(x, 14);
        plot.YLabel(y, 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        return plot;
    }

    /// <summary>Registers <see cref="FontFamily"/> once; true when its regular face was found.</summary>
    private static bool RegisterFonts() => FontRegistered.Value;
}
