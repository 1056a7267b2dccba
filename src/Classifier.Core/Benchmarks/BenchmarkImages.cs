using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Core.Benchmarks;

/// <summary>
/// Writes a labelled folder of synthetic photographs for the benchmark: for a 224 px network, JPEGs of about
/// 320 x 240 (what cameras and datasets usually hold, so decoding and resizing cost what they cost in real use);
/// for small networks, PNGs at the network size (like MNIST-style datasets).
/// </summary>
public static class BenchmarkImages
{
    /// <summary>Classes in the generated folder.</summary>
    public const int Classes = 4;

    /// <summary>Writes <paramref name="count"/> images under <paramref name="root"/> and returns it.</summary>
    public static string Write(string root, int count, int imageSize, int seed = 1)
    {
        bool photo = imageSize >= 96;
        int width = photo ? 320 : imageSize, height = photo ? 240 : imageSize;
        var encoder = photo ? (SixLabors.ImageSharp.Formats.IImageEncoder)new JpegEncoder { Quality = 90 } : new PngEncoder();
        var extension = photo ? ".jpg" : ".png";
        Parallel.For(0, count, i =>
        {
            int label = i % Classes;
            var random = new Random(seed * 100_003 + i);
            using var image = new Image<Rgb24>(width, height);
            // Smooth gradients plus noise: compresses like a photograph, not like a flat colour.
            double fx = random.NextDouble() * 0.1, fy = random.NextDouble() * 0.1;
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        int noise = random.Next(24);
                        row[x] = new Rgb24(
                            (byte)(127 + 100 * Math.Sin(x * fx + label) + noise / 2),
                            (byte)(127 + 100 * Math.Cos(y * fy + label) + noise / 2),
                            (byte)(label * 60 + noise));
                    }
                }
            });
            var dir = Path.Combine(root, $"class{label}");
            Directory.CreateDirectory(dir);
            image.Save(Path.Combine(dir, $"{i:D6}{extension}"), encoder);
        });
        return root;
    }
}
