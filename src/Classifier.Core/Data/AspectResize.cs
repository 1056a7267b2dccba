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
    /// Side of the square training decodes for <see cref="ResizeMode.Crop"/>'s random crop: the scaled image's shorter
    /// side, <c>int(size / 0.875)</c> (256 for 224, 73 for 64). The network-size window moves inside it (see <see cref="CropWindow"/>).
    /// </summary>
    public static int CropSide(int size) => (int)(size / CropRatio);

    /// <summary>Offset of a centred <paramref name="size"/> window in <paramref name="length"/> pixels, rounded half to even as torchvision's <c>CenterCrop</c> (Python's round).</summary>
    public static int CentreOffset(int length, int size) => (int)Math.Round((length - size) / 2.0);

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
    /// <paramref name="destination"/> (side x side x RGB) as <paramref name="mode"/> says. <paramref name="side"/> is
    /// <paramref name="size"/>, or for a crop that training cuts at random later up to the scaled shorter side: that
    /// square is placed so that its own centre window of <paramref name="size"/> is exactly the evaluation's centre crop.
    /// </summary>
    public static void Write(ReadOnlySpan<Rgb24> pixels, int width, int height, int size, ResizeMode mode, Interpolation interpolation,
        Configuration configuration, Span<byte> destination, int side = 0)
    {
        if (side == 0) side = size;
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
            if (mode == ResizeMode.Crop)
            {
                // Centre window; torchvision rounds the offsets half to even (Python's round), as Math.Round does. A
                // larger square starts as far before the centre window as the centre window starts inside it.
                int inner = CentreOffset(side, size);
                int top = Math.Clamp(CentreOffset(scaledHeight, size) - inner, 0, scaledHeight - side);
                int left = Math.Clamp(CentreOffset(scaledWidth, size) - inner, 0, scaledWidth - side);
                int row = side * 3;
                for (int y = 0; y < side; y++)
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
