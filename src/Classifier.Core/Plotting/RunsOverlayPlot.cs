using ScottPlot;

namespace Classifier.Core.Plotting;

/// <summary>
/// Several runs on one figure: accuracy (left) and loss (right), one colour per run, training as solid lines and
/// validation as dashed ones, with the run names in the legends. Drawn from history files alone.
/// </summary>
public static class RunsOverlayPlot
{
    /// <summary>Figure size in pixels.</summary>
    public const int Width = 1400, Height = 560;

    /// <summary>Length of a legend entry's sample line in pixels: long enough for a dashed line to show two dashes.</summary>
    public const float LegendSymbolWidth = 40;

    /// <summary>Writes the overlay of <paramref name="runs"/> to <paramref name="output"/> (PNG, or SVG by extension).</summary>
    public static void Save(IReadOnlyList<RunHistory> runs, string output)
    {
        var empty = runs.FirstOrDefault(r => r.Rows.Count == 0);
        if (empty is not null)
            throw new ClassifierException($"Run '{empty.Name}' has no epochs in its history yet; nothing to plot.");
        var palette = new ScottPlot.Palettes.Category10();
        using var accuracy = Panel("Accuracy", runs, palette, r => r.Accuracy, r => r.ValAccuracy, Alignment.LowerRight);
        using var loss = Panel("Loss", runs, palette, r => r.Loss, r => r.ValLoss, Alignment.UpperRight);
        var figure = new Multiplot(accuracy);
        figure.AddPlot(loss);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        FigureFile.Save(figure, output, Width, Height);
    }

    internal static Plot Panel(string metric, IReadOnlyList<RunHistory> runs, IPalette palette,
        Func<Runs.HistoryRow, double> train, Func<Runs.HistoryRow, double> validation, Alignment legend)
    {
        var plot = new Plot();
        for (int i = 0; i < runs.Count; i++)
        {
            var color = palette.GetColor(i);
            AddLine(plot, runs[i], train, $"{runs[i].Name} train", color, isValidation: false);
            AddLine(plot, runs[i], validation, $"{runs[i].Name} val", color, isValidation: true);
        }
        plot.Title($"{metric} (train solid, validation dashed)");
        plot.XLabel("Epoch");
        plot.YLabel(metric);
        plot.ShowLegend(legend);
        // ScottPlot's legend sample is 20 px, one 10 px dash and one gap with the marker on top of them, so a
        // validation line's sample read as a lone marker; at 40 px the dashes show beside the marker.
        plot.Legend.SymbolWidth = LegendSymbolWidth;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (runs.All(r => r.Rows.Count == 1)) plot.Axes.SetLimitsX(0.5, 1.5);
        return plot;
    }

    private static void AddLine(Plot plot, RunHistory run, Func<Runs.HistoryRow, double> value, string label, Color color,
        bool isValidation)
    {
        var points = run.Rows.Where(r => DrawableValue.Is(value(r))).ToArray();
        var line = plot.Add.Scatter(points.Select(r => (double)r.Epoch).ToArray(), points.Select(value).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.LinePattern = isValidation ? LinePattern.Dashed : LinePattern.Solid;
        line.MarkerSize = run.Rows.Count <= 30 ? 6 : 0;
        // A second cue besides the dashes, for where the lines overlap or the dashes are too short to tell.
        line.MarkerShape = isValidation ? MarkerShape.OpenSquare : MarkerShape.FilledCircle;
    }
}
