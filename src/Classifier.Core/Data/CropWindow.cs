namespace Classifier.Core.Data;

/// <summary>
/// Where training cuts the network-size window out of a decoded square that is larger than it (<c>--resize crop</c>,
/// see <see cref="ImageDecoder.KeepsCropMargin"/>): in the centre, which is exactly the evaluation's centre crop, or at
/// a random place per image drawn from a seed (torchvision's training <c>RandomCrop</c> at the evaluation's scale). The
/// place depends only on the seed and the image's position in its dataset, not on batch order or threads, so an epoch
/// seeded from (seed, epoch) sees the same windows however it is resumed.
/// </summary>
public sealed class CropWindow
{
    private readonly ulong? _seed;

    private CropWindow(ulong? seed) => _seed = seed;

    /// <summary>The centre window, as validation, <c>eval</c> and <c>predict</c> see the image.</summary>
    public static CropWindow Centre { get; } = new(null);

    /// <summary>A random window per image, the same for the same <paramref name="seed"/>.</summary>
    public static CropWindow Random(long seed) => new(unchecked((ulong)seed));

    /// <summary>Whether this is the centre window.</summary>
    public bool IsCentre => _seed is null;

    /// <summary>
    /// The top-left corner of the <paramref name="size"/> x <paramref name="size"/> window for image
    /// <paramref name="index"/> in a <paramref name="side"/> x <paramref name="side"/> square; each coordinate is uniform
    /// over the 0 ... side - size positions.
    /// </summary>
    public (int Top, int Left) For(int index, int side, int size)
    {
        if (_seed is not { } seed)
        {
            int centre = AspectResize.CentreOffset(side, size);
            return (centre, centre);
        }
        ulong bits = Mix(Mix(seed) + (ulong)index);
        uint positions = (uint)(side - size + 1);
        return ((int)((uint)bits % positions), (int)((uint)(bits >> 32) % positions));
    }

    /// <summary>SplitMix64's finaliser: every input bit reaches every output bit, so neighbouring indices get unrelated windows.</summary>
    private static ulong Mix(ulong z)
    {
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Copies the window for image <paramref name="index"/> out of <paramref name="square"/> (side x side x RGB) into
    /// <paramref name="destination"/> (size x size x RGB).
    /// </summary>
    internal void Cut(int index, ReadOnlySpan<byte> square, int side, Span<byte> destination, int size)
    {
        var (top, left) = For(index, side, size);
        int row = size * Preprocessing.Channels;
        for (int y = 0; y < size; y++)
            square.Slice(((top + y) * side + left) * Preprocessing.Channels, row).CopyTo(destination.Slice(y * row, row));
    }
}
