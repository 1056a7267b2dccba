using Classifier.Core.Plotting;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Plotting;

/// <summary>Long class names must not push the heatmap off the image (at ~120 characters nothing of it would be left).</summary>
public sealed class ConfusionMatrixPlotTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Names(int classes, int length) =>
        Enumerable.Range(0, classes).Select(i => $"Class {i} ".PadRight(length, (char)('a' + i % 26))).ToArray();

    /// <summary>A strong diagonal: each class mostly right, a few confusions.</summary>
    private static long[][] Counts(int classes) =>
        Enumerable.Range(0, classes).Select(r => Enumerable.Range(0, classes).Select(c => r == c ? 40L : (r + c) % 3).ToArray()).ToArray();

    private string Draw(int classes, int nameLength, string file = "cm.png")
    {
        var path = _dir.Combine(file);
        ConfusionMatrixPlot.Save(Counts(classes), Names(classes, nameLength), normalize: false, path);
        return path;
    }

    /// <summary>Bounds of the pixels in the colour map's dark end (the diagonal cells), or null when there are none.</summary>
    private static Rectangle? DarkCells(Image<Rgb24> image)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        // The colour bar is at the right edge: only the part left of it is searched.
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width - 120; x++)
            {
                var p = image[x, y];
                if (p.B > 90 && p.B - p.R > 60 && p.R < 40)
                    (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x), Math.Max(bottom, y));
            }
        return right < 0 ? null : new Rectangle(left, top, right - left + 1, bottom - top + 1);
    }

    [Theory]
    [InlineData(3, 80)]
    [InlineData(3, 120)]
    [InlineData(10, 80)]
    [InlineData(10, 120)]
    [InlineData(30, 120)]
    public void Save_WithLongClassNames_DrawsTheHeatmapAboutAsLargeAsWithNamesOf32Characters(int classes, int nameLength)
    {
        using var longNames = Image.Load<Rgb24>(Draw(classes, nameLength, "long.png"));
        using var reference = Image.Load<Rgb24>(Draw(classes, ConfusionMatrixPlot.MaxLabelLength, "reference.png"));

        var cells = DarkCells(longNames);
        var referenceCells = DarkCells(reference);

        Assert.NotNull(referenceCells);
        Assert.True(cells is not null, "the heatmap is blank");
        // The diagonal runs from the top-left cell to the bottom-right one, about as large as with 32-character names
        // (the "[i] " prefix makes the labels a few pixels wider).
        var (got, expected) = (cells!.Value, referenceCells!.Value);
        Assert.Equal(expected.Height, got.Height);
        Assert.InRange(got.Width, expected.Width * 0.95, expected.Width * 1.05);
        Assert.Equal(reference.Width, longNames.Width);
        Assert.True(longNames.Height > reference.Height, "a key is added below the figure");
    }

    [Fact]
    public void Save_WithNamesOf80And120Characters_WritesDifferentFigures_WithTheKeyBelowThePlot()
    {
        var bytes80 = File.ReadAllBytes(Draw(3, 80, "80.png"));
        var bytes120 = File.ReadAllBytes(Draw(3, 120, "120.png"));
        Assert.NotEqual(bytes80, bytes120);

        using var image = Image.Load<Rgb24>(bytes120);
        using var reference = Image.Load<Rgb24>(Draw(3, 10));
        int inked = 0;
        for (int y = reference.Height; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (image[x, y].R < 128) inked++;
        Assert.True(inked > 500, $"the key below the plot holds text ({inked} dark pixels)");
    }

    [Fact]
    public void Save_WithShortNames_KeepsTheFigureSizeWithoutAKey()
    {
        using var image = Image.Load<Rgb24>(Draw(3, ConfusionMatrixPlot.MaxLabelLength));
        Assert.Equal((680, 500), (image.Width, image.Height));
    }

    [Fact]
    public void SaveSvg_WithLongClassNames_WritesTheKeyAsText()
    {
        var path = _dir.Combine("cm.svg");
        var names = Names(3, 120);
        ConfusionMatrixPlot.Save(Counts(3), names, normalize: true, path);

        var svg = File.ReadAllText(path);
        Assert.StartsWith("<?xml", svg.TrimStart());
        Assert.Contains("[2] Class 2 cccccccc", svg);
    }
}
