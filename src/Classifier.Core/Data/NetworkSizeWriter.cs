using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Classifier.Core.Data;

/// <summary>Writes decoded pixels as <see cref="ImageDecoder"/> hands them on: RGB bytes at the preprocessing's size.</summary>
internal static class NetworkSizeWriter
{
    /// <summary>
    /// <see cref="Write(ReadOnlySpan{Rgb24}, int, int, Preprocessing, int, Configuration, Span{byte})"/> for a decoded
    /// frame: its own pixel memory when ImageSharp holds it in one piece, else a pooled copy.
    /// </summary>
    public static void Write(ImageFrame<Rgb24> frame, Preprocessing preprocessing, int decodedSize, Configuration configuration, Span<byte> destination)
    {
        if (frame.DangerousTryGetSinglePixelMemory(out var memory))
        {
            Write(memory.Span, frame.Width, frame.Height, preprocessing, decodedSize, configuration, destination);
            return;
        }
        int count = frame.Width * frame.Height;
        var copy = ArrayPool<Rgb24>.Shared.Rent(count);
        try
        {
            frame.CopyPixelDataTo(copy.AsSpan(0, count));
            Write(copy.AsSpan(0, count), frame.Width, frame.Height, preprocessing, decodedSize, configuration, destination);
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// Writes <paramref name="pixels"/> (<paramref name="width"/> x <paramref name="height"/>, row-major) into
    /// <paramref name="destination"/> at the network size (<paramref name="decodedSize"/> squared where a training crop
    /// keeps its margin): for <see cref="ResizeMode.Crop"/> and <see cref="ResizeMode.Pad"/>
    /// by <see cref="AspectResize"/>; squashed otherwise, copied when the size already matches, else resized with
    /// the preprocessing's filter (nearest as PIL does it, see <see cref="NearestResize"/>; bilinear with ImageSharp's
    /// triangle filter).
    /// </summary>
    public static void Write(ReadOnlySpan<Rgb24> pixels, int width, int height, Preprocessing preprocessing, int decodedSize,
        Configuration configuration, Span<byte> destination)
    {
        int size = preprocessing.ImageSize;
        if (preprocessing.Resize != ResizeMode.Squash)
            AspectResize.Write(pixels, width, height, size, preprocessing.Resize, preprocessing.Interpolation, configuration, destination, decodedSize);
        else if (width == size && height == size)
            MemoryMarshal.AsBytes(pixels).CopyTo(destination);
        else if (preprocessing.Interpolation == Interpolation.Nearest)
            NearestResize.Resize(pixels, width, height, size, destination);
        else
        {
            using var image = Image.LoadPixelData(configuration, pixels, width, height);
            image.Mutate(c => c.Resize(size, size, KnownResamplers.Triangle));
            image.Frames.RootFrame.CopyPixelDataTo(destination);
        }
    }
}
