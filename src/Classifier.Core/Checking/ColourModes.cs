using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace Classifier.Core.Checking;

/// <summary>Short descriptions of an image's colour mode and EXIF orientation, for the check report.</summary>
internal static class ColourModes
{
    /// <summary>E.g. "PNG palette 8-bit", "JPEG CMYK", "GIF palette", "TIFF 48 bits/pixel".</summary>
    public static string Describe(IImageFormat format, IImageInfo info)
    {
        var metadata = info.Metadata;
        string? mode = format switch
        {
            PngFormat => Png(metadata.GetPngMetadata()),
            JpegFormat => Jpeg(metadata.GetJpegMetadata()),
            GifFormat => "palette",
            BmpFormat => $"{(int)metadata.GetBmpMetadata().BitsPerPixel}-bit",
            WebpFormat => metadata.GetWebpMetadata().FileFormat == WebpFileFormatType.Lossless ? "lossless" : "lossy",
            _ => null,
        };
        return $"{format.Name.ToUpperInvariant()} {mode ?? $"{info.PixelType.BitsPerPixel} bits/pixel"}";
    }

    private static string Png(PngMetadata png)
    {
        string colour = png.ColorType switch
        {
            PngColorType.Grayscale => "grayscale",
            PngColorType.GrayscaleWithAlpha => "grayscale+alpha",
            PngColorType.Palette => "palette",
            PngColorType.RgbWithAlpha => "RGBA",
            _ => "RGB",
        };
        return png.BitDepth is { } depth ? $"{colour} {(int)depth}-bit" : colour;
    }

    private static string Jpeg(JpegMetadata jpeg) => jpeg.ColorType switch
    {
        JpegColorType.Luminance => "grayscale",
        JpegColorType.Cmyk => "CMYK",
        JpegColorType.Rgb => "RGB",
        null => "colour",
        _ => "YCbCr",
    };

    /// <summary>EXIF orientation values (1-8) as words; all are applied before training sees the image.</summary>
    public static string Orientation(ushort? value) => value switch
    {
        null => "none",
        1 => "1 (upright)",
        2 => "2 (mirrored)",
        3 => "3 (rotated 180)",
        4 => "4 (mirrored vertically)",
        5 => "5 (transposed)",
        6 => "6 (rotated 90 clockwise)",
        7 => "7 (transversed)",
        8 => "8 (rotated 90 counter-clockwise)",
        var other => $"{other} (invalid, ignored)",
    };
}
