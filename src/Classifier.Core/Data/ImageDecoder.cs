using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace Classifier.Core.Data;

/// <summary>
/// Turns an image file into network-ready pixels: height x width x RGB bytes at the preprocessing's size.
/// Grayscale, palette, 16-bit and CMYK images become RGB; alpha is dropped as PIL's <c>convert("RGB")</c> does;
/// EXIF orientation is applied; animated images give their first frame. The header is read first, so an image
/// whose stated size is over <see cref="MaxPixels"/> is refused before any pixel buffer is allocated.
/// Safe to use from several threads at once.
/// </summary>
public sealed class ImageDecoder
{
    /// <summary>Default limit on width x height, about 90 megapixels (a decompression bomb guard).</summary>
    public const long DefaultMaxPixels = 90_000_000;

    private readonly Configuration _configuration;
    private readonly IResampler _resampler;

    /// <summary>Creates a decoder for <paramref name="preprocessing"/>.</summary>
    public ImageDecoder(Preprocessing preprocessing, long maxPixels = DefaultMaxPixels)
    {
        Preprocessing = preprocessing;
        MaxPixels = maxPixels;
        _resampler = preprocessing.Interpolation == Interpolation.Bilinear
            ? KnownResamplers.Triangle
            : KnownResamplers.NearestNeighbor;
        _configuration = Configuration.Default.Clone();
        // Callers decode many files in parallel; one thread per image avoids oversubscribing the cores.
        _configuration.MaxDegreeOfParallelism = 1;
        // A hard cap on any one buffer, so a lying or hostile header cannot make the decoder allocate gigabytes.
        _configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = (int)Math.Min(2000, Math.Max(64, maxPixels * 4 / 1_000_000 + 16)),
        });
    }

    /// <summary>The preprocessing this decoder applies.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The largest width x height accepted.</summary>
    public long MaxPixels { get; }

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="destination"/> (exactly
    /// <see cref="Data.Preprocessing.PixelBytes"/> bytes). Returns false with a one-line reason when the file cannot
    /// be used; never throws for bad file content.
    /// </summary>
    public bool TryDecode(string path, Span<byte> destination, out string? error)
    {
        if (destination.Length != Preprocessing.PixelBytes)
            throw new ArgumentException($"Destination must hold {Preprocessing.PixelBytes} bytes.", nameof(destination));
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            if (stream.Length == 0)
            {
                error = "empty file (0 bytes)";
                return false;
            }
            var info = Image.Identify(_configuration, stream, out var format);
            if (info is null || format is null)
            {
                error = "not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF, WebP)";
                return false;
            }
            long pixels = (long)info.Width * info.Height;
            if (pixels > MaxPixels)
            {
                error = $"{info.Width}x{info.Height} pixels is over the limit of {MaxPixels:N0} (--max-pixels)";
                return false;
            }
            if (info.Width < 1 || info.Height < 1)
            {
                error = $"invalid size {info.Width}x{info.Height}";
                return false;
            }
            stream.Position = 0;
            using var image = Image.Load<Rgb24>(_configuration, stream);
            var size = Preprocessing.ImageSize;
            image.Mutate(c =>
            {
                c.AutoOrient();
                if (image.Width != size || image.Height != size) c.Resize(size, size, _resampler);
            });
            // Animated images: only the first frame is network input.
            image.Frames.RootFrame.CopyPixelDataTo(destination);
            error = null;
            return true;
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException
                                      or InvalidMemoryOperationException or NotSupportedException
                                      or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // Decoders raise several exception types for corrupt content; each becomes a reason naming the problem.
            error = Describe(e);
            return false;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        UnknownImageFormatException => "not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF, WebP)",
        InvalidImageContentException or ImageFormatException => $"corrupt or truncated image ({FirstLine(e.Message)})",
        InvalidMemoryOperationException => $"image needs more memory than the decoding limit ({FirstLine(e.Message)})",
        UnauthorizedAccessException => "permission denied",
        IOException => $"cannot read file ({FirstLine(e.Message)})",
        _ => $"cannot decode ({e.GetType().Name}: {FirstLine(e.Message)})",
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 160 ? line[..160] + "..." : line;
    }
}
