using Classifier.Core.Runs;
using ScottPlot;
using SkiaSharp;

namespace Classifier.Core.Plotting;

/// <summary>
/// Saves figures atomically as PNG, or as SVG when the file name ends in <c>.svg</c> (any case). Multiplot has no
/// SaveSvg of its own, so it is rendered onto Skia's SVG canvas.
/// </summary>
public static class FigureFile
{
    /// <summary>True when <paramref name="path"/> names an SVG file.</summary>
    public static bool IsSvg(string path) => Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="plot"/> at <paramref name="width"/> x <paramref name="height"/> px.</summary>
    public static void Save(Plot plot, string path, int width, int height)
    {
        if (IsSvg(path))
            AtomicFile.WriteText(path, plot.GetSvgXml(width, height));
        else
            AtomicFile.WriteBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }

    /// <summary>Writes what <paramref name="draw"/> paints on a white <paramref name="width"/> x <paramref name="height"/> px canvas.</summary>
    public static void Save(string path, int width, int height, Action<SKCanvas> draw)
    {
        if (IsSvg(path))
        {
            using var buffer = new MemoryStream();
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), buffer))
            {
                canvas.Clear(SKColors.White);
                draw(canvas);
            }
            AtomicFile.WriteBytes(path, buffer.ToArray());
            return;
        }
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        draw(surface.Canvas);
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteBytes(path, png.AsSpan());
    }

    /// <summary>Writes <paramref name="figure"/> at <paramref name="width"/> x <paramref name="height"/> px.</summary>
    public static void Save(Multiplot figure, string path, int width, int height)
    {
        if (IsSvg(path))
        {
            using var buffer = new MemoryStream();
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), buffer))
                figure.Render(canvas, new PixelRect(0, width, height, 0));
            AtomicFile.WriteBytes(path, buffer.ToArray());
        }
        else
        {
            AtomicFile.WriteBytes(path, figure.Render(width, height).GetImageBytes(ImageFormat.Png));
        }
    }
}
