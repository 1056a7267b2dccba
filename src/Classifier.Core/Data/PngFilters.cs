using System.Buffers;
using System.Runtime.CompilerServices;

namespace Classifier.Core.Data;

/// <summary>
/// The filter stage of PNG decoding for <see cref="SimplePng"/>: each row of inflated data starts with a filter byte
/// (none, sub, up, average or Paeth) that says how the row's bytes were predicted from their left and upper neighbours;
/// these methods add the predictions back. <c>bpp</c> is the bytes per pixel, <c>stride</c> a row's bytes without its
/// filter byte.
/// </summary>
internal static class PngFilters
{
    /// <summary>
    /// Reverses the per-row filters in place; the filter byte of each row stays where it was. The first row's
    /// "previous row" is zeros, as the specification defines it.
    /// </summary>
    public static unsafe bool Unfilter(byte[] raw, int height, int stride, int bpp)
    {
        var zeros = ArrayPool<byte>.Shared.Rent(stride);
        try
        {
            Array.Clear(zeros, 0, stride);
            fixed (byte* data = raw)
            fixed (byte* zeroRow = zeros)
            {
                byte* previous = zeroRow;
                for (int y = 0; y < height; y++)
                {
                    byte* row = data + (long)y * (stride + 1) + 1;
                    if (!UnfilterRow(row, previous, stride, bpp)) return false;
                    previous = row;
                }
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(zeros);
        }
    }

    /// <summary>Reverses one row's filter in place; its filter byte is at <c>row[-1]</c>. False for an unknown filter.</summary>
    public static unsafe bool UnfilterRow(byte* row, byte* previous, int stride, int bpp)
    {
        switch (row[-1])
        {
            case 0:
                break;
            case 1:
                for (int x = bpp; x < stride; x++) row[x] += row[x - bpp];
                break;
            case 2:
                for (int x = 0; x < stride; x++) row[x] += previous[x];
                break;
            case 3:
                for (int x = 0; x < bpp; x++) row[x] += (byte)(previous[x] >> 1);
                for (int x = bpp; x < stride; x++) row[x] += (byte)((row[x - bpp] + previous[x]) >> 1);
                break;
            case 4:
                UnfilterPaeth(row, previous, stride, bpp);
                break;
            default:
                return false;
        }
        return true;
    }

    /// <summary>
    /// The Paeth filter. Each byte depends on the one decoded just before it in its channel, so the loop is a chain of
    /// dependent steps; for grey and RGB rows the channels' last values stay in registers instead of going through
    /// memory, which makes the chain about a third shorter.
    /// </summary>
    private static unsafe void UnfilterPaeth(byte* row, byte* previous, int stride, int bpp)
    {
        // The first pixel has no left neighbour: left and upper-left count as 0, so the predictor is the byte above.
        for (int x = 0; x < bpp; x++) row[x] += previous[x];
        if (bpp == 1)
        {
            int left = row[0], upLeft = previous[0];
            for (int x = 1; x < stride; x++)
            {
                int up = previous[x];
                left = (byte)(row[x] + Paeth(left, up, upLeft));
                row[x] = (byte)left;
                upLeft = up;
            }
        }
        else if (bpp == 3)
        {
            int left0 = row[0], left1 = row[1], left2 = row[2];
            int upLeft0 = previous[0], upLeft1 = previous[1], upLeft2 = previous[2];
            for (int x = 3; x < stride; x += 3)
            {
                int up0 = previous[x], up1 = previous[x + 1], up2 = previous[x + 2];
                left0 = (byte)(row[x] + Paeth(left0, up0, upLeft0));
                left1 = (byte)(row[x + 1] + Paeth(left1, up1, upLeft1));
                left2 = (byte)(row[x + 2] + Paeth(left2, up2, upLeft2));
                row[x] = (byte)left0;
                row[x + 1] = (byte)left1;
                row[x + 2] = (byte)left2;
                upLeft0 = up0;
                upLeft1 = up1;
                upLeft2 = up2;
            }
        }
        else
        {
            for (int x = bpp; x < stride; x++) row[x] += (byte)Paeth(row[x - bpp], previous[x], previous[x - bpp]);
        }
    }

    /// <summary>The PNG Paeth predictor, written with selects rather than branches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Paeth(int left, int up, int upLeft)
    {
        int toLeft = up - upLeft, toUp = left - upLeft, toUpLeft = toLeft + toUp;
        toLeft = Math.Abs(toLeft);
        toUp = Math.Abs(toUp);
        toUpLeft = Math.Abs(toUpLeft);
        int upOrUpLeft = toUp <= toUpLeft ? up : upLeft;
        return toLeft <= Math.Min(toUp, toUpLeft) ? left : upOrUpLeft;
    }
}
