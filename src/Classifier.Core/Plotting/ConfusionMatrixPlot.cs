using System.Globalization;
using ScottPlot;

namespace Classifier.Core.Plotting;

/// <summary>
/// The confusion matrix as a heatmap with class names on both axes (rows: true class, top to bottom; columns:
/// predicted class) and the value written in each cell: counts, or row-normalised fractions (each row sums to 1,
/// so the diagonal is each class's recall).
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Above this many classes the cells carry no numbers.</summary>
    public const int MaxClassesWithNumbers = 30;

    /// <summary>Writes the heatmap of <paramref name="counts"/> (rows = true classes) to <paramref name="output"/> (PNG or SVG).</summary>
    public static void Save(long[][] counts, IReadOnlyList<string> classNames, bool normalize, string output, string? subtitle = null)
    {
        int n = classNames.Count;
        if (n == 0 || counts.Length != n || counts.Any(r => r.Length != n))
            throw new ArgumentException($"The confusion matrix must be {n}x{n}.", nameof(counts));
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            long rowSum = counts[r].Sum();
            for (int c = 0; c < n; c++)
                values[r, c] = normalize ? rowSum == 0 ? 0 : (double)counts[r][c] / rowSum : counts[r][c];
        }
        double max = normalize ? 1 : Math.Max(1, counts.Max(r => r.Max()));

        using var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new WhiteToBlueColormap();
        heatmap.ManualRange = new ScottPlot.Range(0, max);
        // No colour bar label: ScottPlot draws it over the tick labels, and the title already says what cells hold.
        var colorBar = plot.Add.ColorBar(heatmap);
        // Counts are whole numbers: the automatic ticks would put 0.5, 1.5 on a bar that goes up to 2. Fractions get
        // a tick every 0.2 rather than the automatic crowd of 0.05 steps.
        colorBar.Axis.TickGenerator = normalize ? FractionTicks() : CountTicks((long)max);

        // Cell (r, c) is drawn centred at x = c, y = n-1-r (row 0 at the top). Past 30 classes the cells are too
        // small for numbers; the colours carry the figure and metrics.json the values.
        float fontSize = n <= 10 ? 14 : n <= 20 ? 10 : 7;
        for (int r = 0; r < n && n <= MaxClassesWithNumbers; r++)
            for (int c = 0; c < n; c++)
            {
                var text = normalize
                    ? values[r, c].ToString("0.00", CultureInfo.InvariantCulture)
                    : counts[r][c].ToString("N0", CultureInfo.InvariantCulture);
                var label = plot.Add.Text(text, c, n - 1 - r);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = fontSize;
                label.LabelFontColor = values[r, c] > max * 0.55 ? Colors.White : Colors.Black;
            }

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        // Long names would push the heatmap off the image (at ~120 characters nothing of it is left): the axes then show
        // "[i] start…" and a key below the figure gives the names.
        bool shortened = classNames.Any(c => c.Length > MaxLabelLength);
        var labels = shortened ? classNames.Select(ShortLabel).ToArray() : classNames.ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        // Rotated about the end of the text, so each label ends at its own tick and reads up to it (matplotlib's
        // rotation=45, ha="right"); anchored at its start, a rotated label drifted off under the next column.
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Left.SetTicks(positions, labels.Reverse().ToArray());
        int longest = labels.Max(c => c.Length);
        plot.Axes.Bottom.MinimumSize = Math.Min(220, 30 + longest * 6f);
        plot.Axes.Left.MinimumSize = Math.Min(260, 30 + longest * 8f);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        var title = normalize ? "Confusion matrix (row-normalised: recall on the diagonal)" : "Confusion matrix (counts)";
        plot.Title(subtitle is null ? title : $"{title}\n{subtitle}");
        plot.XLabel("Predicted class");
        plot.YLabel("True class");

        int side = Math.Clamp(200 + n * 60, 500, 1600);
        if (!shortened)
        {
            FigureFile.Save(plot, output, side + 180, side);
            return;
        }
        // The plot keeps the size it has with short names; the key adds rows below it.
        var key = new ClassKey(classNames, side + 180);
        FigureFile.Save(output, side + 180, side + key.Height, canvas =>
        {
            plot.Render(canvas, new PixelRect(0, side + 180, side, 0));
            key.Draw(canvas, side);
        });
    }

    /// <summary>Longest class name written whole on the axes; longer ones become "[i] start…" with a key below.</summary>
    public const int MaxLabelLength = 32;

    private static string ShortLabel(string name, int index)
    {
        var label = $"[{index}] {name}";
        return label.Length <= MaxLabelLength ? label : label[..(MaxLabelLength - 1)] + "…";
    }

    private static ScottPlot.TickGenerators.NumericManual FractionTicks()
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int tenths = 0; tenths <= 10; tenths += 2) ticks.AddMajor(tenths / 10.0, (tenths / 10.0).ToString("0.0", CultureInfo.InvariantCulture));
        return ticks;
    }

    /// <summary>Ticks at whole counts from 0 to <paramref name="max"/>, at most about ten, spaced 1, 2, 5, 10, 20, 50...</summary>
    private static ScottPlot.TickGenerators.NumericManual CountTicks(long max)
    {
        long step = 1;
        for (long scale = 1; max / step > 10; scale *= 10)
            step = new[] { 1, 2, 5, 10 }.Select(f => f * scale).First(s => max / s <= 10 || s == 10 * scale);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (long v = 0; v <= max; v += step) ticks.AddMajor(v, v.ToString("N0", CultureInfo.InvariantCulture));
        return ticks;
    }
}
