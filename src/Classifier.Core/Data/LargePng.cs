using System.Buffers;

namespace Classifier.Core.Data;

/// <summary>
/// Plain 8-bit PNGs over <see cref="LargeImageGate.LargePixels"/> decoded row by row (<see cref="SimplePng.TryStreamRows"/>)
/// straight into what the network needs, so the full-size image never exists in memory: a 23500 x 23500 PNG costs a few
/// rows instead of 3 to 8 bytes per pixel.
/// <list type="bullet">
/// <item>Nearest: each output pixel takes the source pixel under its centre as it streams past, the same pixels as
/// decoding whole and sampling (PIL's rule).</item>
/// <item>Bilinear: rows and columns are averaged in boxes of whole pixels (the area average) into an intermediate of
/// 4 to 8 times the network size per side, which is then resized as any decoded image is. The result differs from
/// resizing the full image directly by the box step's round-off, which is why only images this large take this path.</item>
/// </list>
/// </summary>
internal static class LargePng
{
    /// <summary>The intermediate keeps at least this many pixels per network pixel along each side.</summary>
    public const int IntermediateFactor = 4;

    /// <summary>Width and height from the IHDR chunk, or false when <paramref name="file"/> is not a PNG.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> file, out int width, out int height)
    {
        width = height = 0;
        long pixels = LargeImageGate.PngPixels(file);
        if (pixels == 0) return false;
        width = (int)Math.Min(int.MaxValue, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file[16..]));
        height = (int)Math.Min(int.MaxValue, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file[20..]));
        return true;
    }

    /// <summary>
    /// Samples the file into <paramref name="destination"/> (size x size x RGB) with PIL's nearest rule. False when
    /// <see cref="SimplePng"/> declines the file.
    /// </summary>
    public static bool TrySampleNearest(ReadOnlySpan<byte> file, long maxPixels, int size, Span<byte> destination)
    {
        if (!TryReadSize(file, out int width, out int height)) return false;
        var output = ArrayPool<byte>.Shared.Rent(size * size * 3);
        try
        {
            var columns = new int[size];
            var rows = new int[size];
            NearestResize.SourceIndices(width, size, columns);
            NearestResize.SourceIndices(height, size, rows);
            int next = 0;
            bool ok = SimplePng.TryStreamRows(file, maxPixels, (y, rgb) =>
            {
                // rows[] never decreases; an enlarged image repeats a source row in several output rows.
                for (; next < size && rows[next] == y; next++)
                {
                    var outRow = output.AsSpan(next * size * 3, size * 3);
                    for (int x = 0; x < size; x++) rgb.Slice(columns[x] * 3, 3).CopyTo(outRow.Slice(x * 3, 3));
                }
            });
            if (!ok || next != size) return false;
            output.AsSpan(0, size * size * 3).CopyTo(destination);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>
    /// Area-averages the file into an RGB intermediate (rented; the caller returns it) of <paramref name="width"/> x
    /// <paramref name="height"/>, each side whole boxes of the source reduced to at least
    /// <see cref="IntermediateFactor"/> x <paramref name="size"/> px (sides already under that are kept). False when
    /// <see cref="SimplePng"/> declines the file.
    /// </summary>
    public static bool TryReduce(ReadOnlySpan<byte> file, long maxPixels, int size, out byte[] rgb, out int width, out int height)
    {
        rgb = [];
        width = height = 0;
        if (!TryReadSize(file, out int sourceWidth, out int sourceHeight)) return false;
        int boxX = Math.Max(1, sourceWidth / (IntermediateFactor * size)), boxY = Math.Max(1, sourceHeight / (IntermediateFactor * size));
        int outWidth = (sourceWidth + boxX - 1) / boxX, outHeight = (sourceHeight + boxY - 1) / boxY;
        if ((long)outWidth * outHeight * 3 > Array.MaxLength) return false;
        var output = ArrayPool<byte>.Shared.Rent(outWidth * outHeight * 3);
        var sums = new long[outWidth * 3];
        bool ok = SimplePng.TryStreamRows(file, maxPixels, (y, row) =>
        {
            for (int x = 0, box = 0; x < sourceWidth; box++)
            {
                int end = Math.Min(sourceWidth, x + boxX);
                long r = 0, g = 0, b = 0;
                for (; x < end; x++)
                {
                    r += row[3 * x];
                    g += row[3 * x + 1];
                    b += row[3 * x + 2];
                }
                sums[3 * box] += r;
                sums[3 * box + 1] += g;
                sums[3 * box + 2] += b;
            }
            if (y % boxY != boxY - 1 && y != sourceHeight - 1) return;
            // The last box of a row or column may be narrower: each box is divided by its own pixel count.
            long rowsInBox = y % boxY + 1;
            var outRow = output.AsSpan(y / boxY * outWidth * 3, outWidth * 3);
            for (int box = 0; box < outWidth; box++)
            {
                long count = rowsInBox * (Math.Min(sourceWidth, (box + 1) * boxX) - box * boxX);
                for (int c = 0; c < 3; c++) outRow[3 * box + c] = (byte)((sums[3 * box + c] + count / 2) / count);
            }
            Array.Clear(sums);
        });
        if (!ok)
        {
            ArrayPool<byte>.Shared.Return(output);
            return false;
        }
        (rgb, width, height) = (output, outWidth, outHeight);
        return true;
    }
}
