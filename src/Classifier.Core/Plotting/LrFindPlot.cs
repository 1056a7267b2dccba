using System.Globalization;
using ScottPlot;

namespace Classifier.Core.Plotting;

/// <summary>
/// The learning-rate range test's figure: the smoothed training loss against the rate on a log axis (fastai's
/// <c>lr_find</c> plot), the raw batch losses faint behind it, and the suggested rate marked.
/// </summary>
public static class LrFindPlot
{
    /// <summary>Figure size in pixels.</summary>
    public const int Width = 900, Height = 550;

    /// <summary>Writes the figure for <paramref name="result"/> to <paramref name="output"/> (PNG, or SVG by extension), atomically.</summary>
    public static void Save(ILrFindCurve result, string output)
    {
        // ScottPlot 5 has no log scale: the x values are log10(rate) and the tick labels say the rate.
        var x = result.Rates.Select(Math.Log10).ToArray();
        using var plot = new Plot();
        var raw = x.Zip(result.Losses).Where(p => DrawableValue.Is(p.Second)).ToArray();
        var batches = plot.Add.Scatter(raw.Select(p => p.First).ToArray(), raw.Select(p => p.Second).ToArray(), Color.FromHex("#1f77b4").WithAlpha(0.25));
        batches.LegendText = "batch loss";
        batches.MarkerSize = 0;
        var curve = plot.Add.Scatter(x, result.SmoothedLosses.ToArray(), Color.FromHex("#1f77b4"));
        curve.LegendText = "smoothed loss";
        curve.LineWidth = 2;
        curve.MarkerSize = 0;
        double suggested = Math.Log10(result.SuggestedRate);
        var line = plot.Add.VerticalLine(suggested, 2, Color.FromHex("#d62728"));
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"suggested --learning-rate {Format(result.SuggestedRate)}";
        // The minimum the suggestion is a tenth of.
        int lowest = Enumerable.Range(0, result.Rates.Count).MinBy(i => result.SmoothedLosses[i]);
        var marker = plot.Add.Marker(x[lowest], result.SmoothedLosses[lowest], MarkerShape.FilledCircle, 8, Color.FromHex("#d62728"));
        marker.LegendText = "lowest smoothed loss";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = v => Format(Math.Pow(10, v)),
        };
        // The smoothed curve's range: the diverging raw losses would otherwise flatten it.
        double low = result.SmoothedLosses.Min(), high = result.SmoothedLosses.Max();
        double margin = Math.Max(1e-6, (high - low) * 0.08);
        plot.Axes.SetLimits(x.Min(), x.Max(), low - margin, high + margin);
        plot.Title(result.Diverged ? "Learning-rate range test (stopped when the loss diverged)" : "Learning-rate range test");
        plot.XLabel("Learning rate (log scale)");
        plot.YLabel("Training loss");
        plot.ShowLegend(Alignment.UpperLeft);
        FigureFile.Save(plot, output, Width, Height);
    }

    /// <summary>A rate as the command line takes it (<c>0.001</c>, <c>3e-05</c>).</summary>
    public static string Format(double rate) => rate.ToString("G2", CultureInfo.InvariantCulture);
}
