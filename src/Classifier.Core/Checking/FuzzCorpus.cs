using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Core.Checking;

/// <summary>
/// The valid files the fuzzer mutates: every format and the main variants of each (palette, 16-bit, interlaced,
/// grayscale, animated, compressed TIFF, lossy and lossless WebP), generated in memory.
/// </summary>
internal static class FuzzCorpus
{
    public static IReadOnlyList<(string Name, byte[] Bytes)> Create()
    {
        var seeds = new List<(string, byte[])>
        {
            ("png-rgb", Encode(new PngEncoder())),
            ("png-palette", Encode(new PngEncoder { ColorType = PngColorType.Palette })),
            ("png-16bit-interlaced", Encode(new PngEncoder
            {
                ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16, InterlaceMethod = PngInterlaceMode.Adam7,
            })),
            ("jpeg-420", Encode(new JpegEncoder { Quality = 90 })),
            ("jpeg-gray", Encode(new JpegEncoder { ColorType = JpegColorType.Luminance })),
            ("gif-animated", AnimatedGif()),
            ("bmp-24", Encode(new BmpEncoder())),
            ("bmp-8-palette", Encode(new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 })),
            ("tiff-plain", Encode(new TiffEncoder())),
            ("tiff-lzw", Encode(new TiffEncoder { Compression = TiffCompression.Lzw })),
            ("tiff-deflate-predictor", Encode(new TiffEncoder { Compression = TiffCompression.Deflate, HorizontalPredictor = TiffPredictor.Horizontal })),
            ("tiff-packbits", Encode(new TiffEncoder { Compression = TiffCompression.PackBits })),
            ("webp-lossless", Encode(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless })),
            ("webp-lossy", Encode(new WebpEncoder { FileFormat = WebpFileFormatType.Lossy })),
        };
        return seeds;
    }

    private static Image<Rgba32> Picture(int frameSeed = 0)
    {
        var random = new Random(17 + frameSeed);
        var image = new Image<Rgba32>(24, 20);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = new Rgba32((byte)(x * 10), (byte)(y * 12), (byte)random.Next(256), (byte)(255 - x));
        return image;
    }

    private static byte[] Encode(IImageEncoder encoder)
    {
        using var image = Picture();
        using var buffer = new MemoryStream();
        image.Save(buffer, encoder);
        return buffer.ToArray();
    }

    private static byte[] AnimatedGif()
    {
        using var image = Picture();
        using (var second = Picture(1)) image.Frames.AddFrame(second.Frames.RootFrame);
        using var buffer = new MemoryStream();
        image.Save(buffer, new GifEncoder());
        return buffer.ToArray();
    }
}
