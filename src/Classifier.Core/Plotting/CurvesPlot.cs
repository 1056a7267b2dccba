using Classifier.Core.Runs;
using ScottPlot;

namespace Classifier.Core.Plotting;

/// <summary>
/// The seed's two-panel figure: accuracy on the left, loss on the right, training and validation lines in each,
/// with titles, axis labels and legends. Drawn only from history.csv, so any past run can be plotted again.
/// </summary>
public static class CurvesPlot
{
    /// <summary>Figure size in pixels.</summary>
    public const int Width = 1200, Height = 500;

    private static readonly Color TrainColor = Color.FromHex("#1f77b4");
    private static readonly Color ValidationColor = Color.FromHex("#ff7f0e");

    /// <summary>Reads <paramref name="historyCsv"/> and writes the figure to <paramref name="output"/> (PNG, or SVG by extension).</summary>
    public static void SaveFromHistory(string historyCsv, string output) => Save(HistoryCsv.Read(historyCsv), output);

    /// <summary>Writes the figure for <paramref name="history"/> to <paramref name="output"/>, atomically.</summary>
    public static void Save(IReadOnlyList<HistoryRow> history, string output)
    {
        if (history.Count == 0)
            throw new ClassifierException("The history has no epochs yet; nothing to plot.");
        var epochs = history.Select(r => (double)r.Epoch).ToArray();
        using var accuracy = Panel("Training and Validation Accuracy", "Accuracy", epochs,
            history.Select(r => r.Accuracy).ToArray(), history.Select(r => r.ValAccuracy).ToArray(), Alignment.LowerRight);
        using var loss = Panel("Training and Validation Loss", "Loss", epochs,
            history.Select(r => r.Loss).ToArray(), history.Select(r => r.ValLoss).ToArray(), Alignment.UpperRight);
        var figure = new Multiplot(accuracy);
        figure.AddPlot(loss);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        FigureFile.Save(figure, output, Width, Height);
    }

    private static Plot Panel(string title, string yLabel, double[] epochs, double[] train, double[] validation, Alignment legend)
    {
        var plot = new Plot();
        AddLine(plot, epochs, train, "Training", TrainColor);
        AddLine(plot, epochs, validation, "Validation", ValidationColor);
        plot.Title(title);
        plot.XLabel("Epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        // Whole epochs only on the x axis.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (epochs.Length == 1) plot.Axes.SetLimitsX(0.5, 1.5);
        return plot;
    }

    private static void AddLine(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        var finite = xs.Zip(ys).Where(p => DrawableValue.Is(p.Second)).ToArray();
        var line = plot.Add.Scatter(finite.Select(p => p.First).ToArray(), finite.Select(p => p.Second).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = xs.Length <= 30 ? 6 : 0;
    }
}
