using System.Buffers;

namespace Classifier.Core.Data;

/// <summary>
/// A batch of decoded images ready for the network: <see cref="Count"/> images as uint8 NHWC RGB in
/// <see cref="Pixels"/> (rented; return it with <see cref="Dispose"/>), their labels, and their positions in the
/// dataset (so results can be traced back to files).
/// </summary>
public sealed class Batch : IDisposable
{
    private byte[]? _pixels;

    internal Batch(byte[] pixels, int count, long[] labels, int[] indices, int imageSize)
    {
        _pixels = pixels;
        Count = count;
        Labels = labels;
        Indices = indices;
        ImageSize = imageSize;
    }

    /// <summary>
    /// A batch that carries only positions and labels, no pixels (<see cref="ImageSize"/> 0): for training steps whose
    /// input is already cached as features.
    /// </summary>
    internal static Batch WithoutPixels(long[] labels, int[] indices) => new([], indices.Length, labels, indices, 0);

    /// <summary>Number of images in the batch (bad files are left out, so it can be below the batch size).</summary>
    public int Count { get; }

    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; }

    /// <summary>Class index of each image, as int64 (what cross-entropy wants).</summary>
    public long[] Labels { get; }

    /// <summary>Position of each image in its dataset.</summary>
    public int[] Indices { get; }

    /// <summary>Pixels of all images, [Count, ImageSize, ImageSize, 3] uint8.</summary>
    public ReadOnlySpan<byte> Pixels =>
        (_pixels ?? throw new ObjectDisposedException(nameof(Batch))).AsSpan(0, Count * ImageSize * ImageSize * Preprocessing.Channels);

    /// <summary>Returns the pixel buffer to the pool.</summary>
    public void Dispose()
    {
        var pixels = Interlocked.Exchange(ref _pixels, null);
        if (pixels is { Length: > 0 }) ArrayPool<byte>.Shared.Return(pixels);
    }
}
