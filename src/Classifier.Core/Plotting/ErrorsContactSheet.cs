using System.Globalization;
using Classifier.Core.Data;
using Classifier.Core.Runs;
using SkiaSharp;

namespace Classifier.Core.Plotting;

/// <summary>
/// A grid of images with their true class, predicted class and confidence (fastai's <c>plot_top_losses</c>). Each
/// image is shown as the network saw it: decoded and resized with the model's preprocessing, then scaled to the tile
/// (nearest neighbour when enlarging, so small inputs stay crisp).
/// </summary>
public static class ErrorsContactSheet
{
    /// <summary>Side of the image in a tile, px.</summary>
    public const int ImageSide = 128;

    private const int Padding = 10, TextHeight = 40, TitleHeight = 44, TileWidth = ImageSide + 2 * Padding + 32;

    private static readonly SKColor ErrorRed = new(0xC6, 0x28, 0x28);
    private static readonly SKColor TextGrey = new(0x33, 0x33, 0x33);

    /// <summary>Writes the sheet for <paramref name="tiles"/> to <paramref name="output"/> (PNG), atomically.</summary>
    public static void Save(IReadOnlyList<ContactSheetTile> tiles, Preprocessing preprocessing, string title, string output,
        int columns = 6)
    {
        columns = Math.Max(1, Math.Min(columns, Math.Max(1, tiles.Count)));
        int rows = Math.Max(1, (tiles.Count + columns - 1) / columns);
        int width = columns * TileWidth, height = TitleHeight + rows * (ImageSide + TextHeight + 2 * Padding);

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var titleFont = new SKFont(typeface, 16) { Embolden = true };
        using var font = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = TextGrey, IsAntialias = true };
        using var red = new SKPaint { Color = ErrorRed, IsAntialias = true };
        using var frame = new SKPaint { Color = new SKColor(0xCC, 0xCC, 0xCC), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawText(Fit(title, titleFont, width - 2 * Padding), width / 2f, 28, SKTextAlign.Center, titleFont, ink);
        if (tiles.Count == 0)
            canvas.DrawText("No errors: every image was classified correctly.", width / 2f, TitleHeight + 40, SKTextAlign.Center, font, ink);

        var decoder = new ImageDecoder(preprocessing);
        var pixels = new byte[preprocessing.PixelBytes];
        for (int i = 0; i < tiles.Count; i++)
        {
            var tile = tiles[i];
            float x = (i % columns) * TileWidth, y = TitleHeight + (i / columns) * (ImageSide + TextHeight + 2 * Padding);
            var imageRect = SKRect.Create(x + (TileWidth - ImageSide) / 2f, y + Padding, ImageSide, ImageSide);
            if (decoder.TryDecode(tile.Path, pixels, out _))
            {
                using var image = ToSkImage(pixels, preprocessing.ImageSize);
                var sampling = preprocessing.ImageSize <= ImageSide
                    ? new SKSamplingOptions(SKFilterMode.Nearest)
                    : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
                canvas.DrawImage(image, imageRect, sampling);
            }
            else
            {
                canvas.DrawText("unreadable", imageRect.MidX, imageRect.MidY, SKTextAlign.Center, font, ink);
            }
            canvas.DrawRect(imageRect, frame);
            float textX = x + TileWidth / 2f, textY = imageRect.Bottom + 16;
            canvas.DrawText(Fit($"true: {tile.TrueLabel}", font, TileWidth - 6), textX, textY, SKTextAlign.Center, font, ink);
            var predicted = $"pred: {tile.PredictedLabel} ({tile.Confidence.ToString("0.00", CultureInfo.InvariantCulture)})";
            canvas.DrawText(Fit(predicted, font, TileWidth - 6), textX, textY + 16, SKTextAlign.Center, font, red);
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteBytes(output, png.AsSpan());
    }

    /// <summary>RGB bytes [side, side, 3] as an opaque Skia image.</summary>
    private static SKImage ToSkImage(byte[] rgb, int side)
    {
        var rgba = new byte[side * side * 4];
        for (int p = 0; p < side * side; p++)
        {
            rgba[p * 4] = rgb[p * 3];
            rgba[p * 4 + 1] = rgb[p * 3 + 1];
            rgba[p * 4 + 2] = rgb[p * 3 + 2];
            rgba[p * 4 + 3] = 255;
        }
        var info = new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque);
        return SKImage.FromPixelCopy(info, rgba, side * 4);
    }

    /// <summary>The text, shortened with an ellipsis until it fits <paramref name="maxWidth"/> px.</summary>
    private static string Fit(string text, SKFont font, float maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        for (int length = text.Length - 1; length > 1; length--)
        {
            var candidate = text[..length] + "…";
            if (font.MeasureText(candidate) <= maxWidth) return candidate;
        }
        return text[..1];
    }
}
