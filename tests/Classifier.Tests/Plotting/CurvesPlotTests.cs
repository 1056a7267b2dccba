using Classifier.Core;
using Classifier.Core.Plotting;
using Classifier.Core.Runs;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Plotting;

public sealed class CurvesPlotTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SaveFromHistory_DrawsATwoPanelFigure_WithBothLineColours()
    {
        var history = _dir.Combine("history.csv");
        HistoryCsv.Write(history, Enumerable.Range(1, 5).Select(e => new HistoryRow(e, 0.5 + e * 0.05, 1.0 / e, 0.45 + e * 0.04, 1.2 / e, 0.001, 1)));
        var png = _dir.Combine("curves.png");

        CurvesPlot.SaveFromHistory(history, png);

        using var image = Image.Load<Rgb24>(png);
        Assert.Equal((CurvesPlot.Width, CurvesPlot.Height), (image.Width, image.Height));
        bool HasColour(int x0, int x1, Func<Rgb24, bool> match)
        {
            for (int y = 0; y < image.Height; y++)
                for (int x = x0; x < x1; x++)
                    if (match(image[x, y])) return true;
            return false;
        }
        static bool Blue(Rgb24 p) => p.B > 150 && p.R < 80;
        static bool Orange(Rgb24 p) => p.R > 220 && p.G is > 100 and < 160 && p.B < 60;
        int half = image.Width / 2;
        Assert.True(HasColour(0, half, Blue) && HasColour(0, half, Orange), "left panel has both lines");
        Assert.True(HasColour(half, image.Width, Blue) && HasColour(half, image.Width, Orange), "right panel has both lines");
    }

    [Fact]
    public void Save_WithNoEpochs_SaysThereIsNothingToPlot()
    {
        var e = Assert.Throws<ClassifierException>(() => CurvesPlot.Save([], _dir.Combine("x.png")));
        Assert.Contains("no epochs", e.Message);
    }
}
