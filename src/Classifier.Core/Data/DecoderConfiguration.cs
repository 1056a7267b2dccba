using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;

namespace Classifier.Core.Data;

/// <summary>How <see cref="ImageDecoder"/> sets ImageSharp up for files nobody vouches for.</summary>
internal static class DecoderConfiguration
{
    /// <summary>
    /// The ImageSharp configuration for untrusted files: only the six formats we read (ImageSharp's default also
    /// accepts TGA and PBM, whose weak signatures let random bytes pass as images), a hard cap on any one buffer,
    /// and only the first frame of GIF and TIFF files decoded, so a thousand-frame animation costs one frame (2.1 has no
    /// such mode for WebP; <see cref="ImageStructure"/> bounds an animated WebP's total pixels instead).
    /// </summary>
    public static Configuration For(long maxPixels)
    {
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(),
            new BmpConfigurationModule(), new TiffConfigurationModule(), new WebpConfigurationModule())
        {
            // Callers decode many files in parallel; one thread per image avoids oversubscribing the cores.
            MaxDegreeOfParallelism = 1,
            // A hard cap on any one buffer, so a lying or hostile header cannot make the decoder allocate gigabytes.
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                AllocationLimitMegabytes = (int)Math.Min(2000, Math.Max(64, maxPixels * 4 / 1_000_000 + 16)),
            }),
        };
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance,
            new GifDecoder { DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        // PNG text chunks (zTXt, iTXt) are compressed and unbounded: a 1 MB file inflated to gigabytes of 'A'. classify
        // uses no PNG metadata, so none is read (its eXIf orientation included; JPEG's EXIF orientation is still applied).
        configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        return configuration;
    }
}
