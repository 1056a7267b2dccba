using System.Runtime.InteropServices;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Core.Data;

/// <summary>
/// Nearest-neighbour resizing exactly as PIL's <c>Image.resize(..., NEAREST)</c>, which Keras' <c>load_img</c> uses:
/// output pixel i takes source pixel floor((i + 0.5) x in / out), the one under its centre. (ImageSharp's own nearest
/// sampler takes floor(i x in / out), which picks other pixels and would not match a Keras pipeline.)
/// </summary>
internal static class NearestResize
{
    /// <summary>
    /// Fills <paramref name="indices"/> (one per output position, <paramref name="size"/> of them) with the source
    /// position each takes along an axis of <paramref name="length"/> pixels.
    /// </summary>
    public static void SourceIndices(int length, int size, Span<int> indices)
    {
        double scale = (double)length / size;
        for (int i = 0; i < size; i++) indices[i] = Math.Min(length - 1, (int)(scale * (i + 0.5)));
    }

    /// <summary>
    /// Resizes <paramref name="source"/> (<paramref name="width"/> x <paramref name="height"/>, row-major) into
    /// <paramref name="destination"/>, <paramref name="size"/> x <paramref name="size"/> x RGB bytes.
    /// </summary>
    public static void Resize(ReadOnlySpan<Rgb24> source, int width, int height, int size, Span<byte> destination)
    {
        var output = MemoryMarshal.Cast<byte, Rgb24>(destination);
        Span<int> columns = stackalloc int[size];
        Span<int> rows = stackalloc int[size];
        SourceIndices(width, size, columns);
        SourceIndices(height, size, rows);
        for (int y = 0; y < size; y++)
        {
            var row = source.Slice(rows[y] * width, width);
            var outRow = output.Slice(y * size, size);
            for (int x = 0; x < size; x++) outRow[x] = row[columns[x]];
        }
    }
}
