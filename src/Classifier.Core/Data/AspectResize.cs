using System.Buffers;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Classifier.Core.Data;

/// <summary>
/// <see cref="ResizeMode.Crop"/> and <see cref="ResizeMode.Pad"/>: the image is scaled keeping its aspect ratio, then
/// a square window of the network size is taken from it (crop) or it is placed in the middle of a black square (pad).
/// <see cref="ResizeMode.Squash"/> never comes here: the decoder's own path, unchanged, serves it.
/// </summary>
internal static class AspectResize
{
    /// <summary>torchvision's ratio of crop to resize (224 of 256) in its ImageNet evaluation transform.</summary>
    public const double CropRatio = 0.875;

    /// <summary>
    /// The scaled size of a <paramref name="width"/> x <paramref name="height"/> image before the window is taken:
    /// for crop the shorter side becomes <c>int(size / 0.875)</c> and the longer <c>int(that x long / short)</c>, as
    /// torchvision's <c>Resize(int)</c>; for pad the longer side becomes <paramref name="size"/>.
    /// </summary>
    public static (int Width, int Height) ScaledSize(ResizeMode mode, int width, int height, int size)
    {
        if (mode == ResizeMode.Crop)
        {
            int shorter = (int)(size / CropRatio);
            return width <= height
                ? (shorter, Math.Max(shorter, (int)((long)shorter * height / width)))
                : (Math.Max(shorter, (int)((long)shorter * width / height)), shorter);
        }
        return width >= height
            ? (size, Math.Max(1, (int)Math.Round((double)size * height / width)))
            : (Math.Max(1, (int)Math.Round((double)size * width / height)), size);
    }

    /// <summary>
    /// Writes <paramref name="pixels"/> (<paramref name="width"/> x <paramref name="height"/>, row-major) into
    /// <paramref name="destination"/> (size x size x RGB) as <paramref name="mode"/> says.
    /// </summary>
    public static void Write(ReadOnlySpan<Rgb24> pixels, int width, int height, int size, ResizeMode mode, Interpolation interpolation,
        Configuration configuration, Span<byte> destination)
    {
        var (scaledWidth, scaledHeight) = ScaledSize(mode, width, height, size);
        int count = scaledWidth * scaledHeight;
        var scaled = ArrayPool<Rgb24>.Shared.Rent(count);
        try
        {
            if (scaledWidth == width && scaledHeight == height)
                pixels.CopyTo(scaled);
            else
            {
                using var image = Image.LoadPixelData(configuration, pixels, width, height);
                var sampler = interpolation == Interpolation.Nearest ? KnownResamplers.NearestNeighbor : KnownResamplers.Triangle;
                image.Mutate(c => c.Resize(scaledWidth, scaledHeight, sampler));
                image.Frames.RootFrame.CopyPixelDataTo(scaled.AsSpan(0, count));
            }
            var source = MemoryMarshal.AsBytes(scaled.AsSpan(0, count));
            int row = size * 3;
            if (mode == ResizeMode.Crop)
            {
                // Centre window; torchvision rounds the offsets half to even (Python's round), as Math.Round does.
                int top = (int)Math.Round((scaledHeight - size) / 2.0), left = (int)Math.Round((scaledWidth - size) / 2.0);
                for (int y = 0; y < size; y++)
                    source.Slice(((top + y) * scaledWidth + left) * 3, row).CopyTo(destination.Slice(y * row, row));
            }
            else
            {
                destination.Clear();   // black borders
                int top = (size - scaledHeight) / 2, left = (size - scaledWidth) / 2;
                for (int y = 0; y < scaledHeight; y++)
                    source.Slice(y * scaledWidth * 3, scaledWidth * 3).CopyTo(destination.Slice(((top + y) * size + left) * 3));
            }
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(scaled);
        }
    }
}
