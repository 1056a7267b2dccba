using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Support;

/// <summary>Generates image files and labelled folders for tests (no binary fixtures are committed).</summary>
public static class TestImages
{
    /// <summary>Writes an image whose pixels come from <paramref name="pixel"/>(x, y), in the format the extension names.</summary>
    public static string Write<TPixel>(string path, int width, int height, Func<int, int, TPixel> pixel)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<TPixel>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = pixel(x, y);
        image.Save(path, EncoderFor(path));
        return path;
    }

    /// <summary>A solid RGB image.</summary>
    public static string Solid(string path, int size, byte r, byte g, byte b) =>
        Write(path, size, size, (_, _) => new Rgb24(r, g, b));

    public static IImageEncoder EncoderFor(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => new PngEncoder(),
        ".jpg" or ".jpeg" => new JpegEncoder { Quality = 95 },
        ".bmp" => new BmpEncoder(),
        ".gif" => new GifEncoder(),
        ".tif" or ".tiff" => new TiffEncoder(),
        ".webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        var other => throw new ArgumentException($"No encoder for {other}"),
    };

    /// <summary>
    /// A two-class <see cref="StripesDataset"/> of 24 px images that gives training its data warnings: class_a has 12
    /// images and class_b 3 (imbalance), and class_a holds a text file named <c>zz-note.png</c> (skipped). Returns the
    /// root and the bad file's path.
    /// </summary>
    public static (string Data, string Bad) ImbalancedStripesWithABadFile(string root)
    {
        var data = StripesDataset(root, classes: 2, perClass: 12, size: 24);
        foreach (var extra in Directory.GetFiles(Path.Combine(data, "class_b")).Order().Skip(3)) File.Delete(extra);
        return (data, BadFiles.TextAsImage(Path.Combine(data, "class_a", "zz-note.png")));
    }

    /// <summary>
    /// A learnable dataset: class k's images have a bright vertical band in the k-th of <paramref name="classes"/>
    /// strips, plus seeded noise. Returns the root folder (one sub-folder per class, named class_a, class_b, ...).
    /// </summary>
    public static string StripesDataset(string root, int classes, int perClass, int size = 28, int seed = 1, string extension = ".png")
    {
        var random = new Random(seed);
        for (int c = 0; c < classes; c++)
        {
            var dir = Path.Combine(root, $"class_{(char)('a' + c)}");
            for (int i = 0; i < perClass; i++)
            {
                int band = size / classes;
                var noise = new byte[size * size];
                random.NextBytes(noise);
                Write(Path.Combine(dir, $"{i:D3}{extension}"), size, size, (x, y) =>
                {
                    bool lit = x / Math.Max(1, band) == c;
                    byte v = (byte)Math.Clamp((lit ? 200 : 30) + (noise[y * size + x] % 40) - 20, 0, 255);
                    return new Rgb24(v, v, v);
                });
            }
        }
        return root;
    }
}
