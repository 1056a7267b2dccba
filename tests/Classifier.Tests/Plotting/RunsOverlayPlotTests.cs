using Classifier.Core.Plotting;
using Classifier.Core.Runs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Plotting;

/// <summary>The overlay of several runs (<c>classify plot RUN_A RUN_B</c>): what its legend shows.</summary>
public sealed class RunsOverlayPlotTests
{
    [Fact]
    public void Legend_ShowsTheValidationLineDashed_NotJustItsMarker()
    {
        var rows = Enumerable.Range(1, 5).Select(e => new HistoryRow(e, 0.5 + e * 0.05, 1.0 / e, 0.45 + e * 0.04, 1.2 / e, 0.001, 1)).ToList();
        using var panel = RunsOverlayPlot.Panel("Loss", [new RunHistory("a", rows)], new ScottPlot.Palettes.Category10(),
            r => r.Loss, r => r.ValLoss, ScottPlot.Alignment.UpperRight);

        using var legend = Image.Load<Rgb24>(panel.GetLegendImage().GetImageBytes(ScottPlot.ImageFormat.Png));

        // The two entries' sample lines, in the run's colour (Category10's first, #1f77b4): train above, validation below.
        var lineRows = Enumerable.Range(0, legend.Height).Select(y => (Y: y, Pixels: Coloured(legend, y)))
            .Where(r => r.Pixels.Count > 0).ToList();
        var train = lineRows.Where(r => r.Y < legend.Height / 2).MaxBy(r => r.Pixels.Count).Pixels;
        var validation = lineRows.Where(r => r.Y >= legend.Height / 2).MaxBy(r => r.Pixels.Count).Pixels;

        // Training: one unbroken line. Validation: dashes that reach well beyond the marker in the middle, with gaps.
        Assert.Single(Runs(train));
        var dashes = Runs(validation);
        Assert.True(dashes.Count >= 2, $"validation sample: coloured runs {string.Join(", ", dashes)}");
        Assert.True(validation[^1] - validation[0] >= 25, $"validation sample spans {validation[0]}..{validation[^1]} px");
    }

    /// <summary>The x of every pixel in row <paramref name="y"/> close to the first run's colour.</summary>
    private static List<int> Coloured(Image<Rgb24> image, int y) =>
        Enumerable.Range(0, image.Width).Where(x =>
        {
            var p = image[x, y];
            return Math.Abs(p.R - 0x1f) + Math.Abs(p.G - 0x77) + Math.Abs(p.B - 0xb4) < 90;
        }).ToList();

    /// <summary>Consecutive x positions as (first, last) runs.</summary>
    private static List<(int, int)> Runs(List<int> xs)
    {
        var runs = new List<(int, int)>();
        foreach (var x in xs)
            if (runs.Count > 0 && runs[^1].Item2 == x - 1) runs[^1] = (runs[^1].Item1, x);
            else runs.Add((x, x));
        return runs;
    }
}
