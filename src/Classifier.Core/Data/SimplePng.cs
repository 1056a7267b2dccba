using System.Buffers;
using System.Buffers.Binary;

namespace Classifier.Core.Data;

/// <summary>
/// A fast decoder for the PNGs that make up small-image datasets (MNIST-style folders): 8-bit grey, grey + alpha, RGB
/// or RGBA, not interlaced, no palette. For a 28 x 28 file ImageSharp's general pipeline costs about ten times what
/// inflating and unfiltering the rows does, which made evaluating from files decode-bound.
/// It declines (returns false) for anything else and for anything unusual (a bad checksum, a short stream, an unknown
/// critical chunk, EXIF, transparency or animation chunks); the caller then decodes with ImageSharp, which gives the
/// same pixels for the files accepted here (a test compares them) and the error messages for damaged ones.
/// </summary>
internal static class SimplePng
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Decodes <paramref name="file"/> into RGB bytes (row-major, width x height x 3) in a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/>, which the caller returns. False (and nothing rented) when the file is not
    /// one this decoder takes or is not intact, or when its width x height is over <paramref name="maxPixels"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> file, long maxPixels, out byte[] rgb, out int width, out int height)
    {
        rgb = [];
        width = height = 0;
        if (!TryReadChunks(file, out var header, out var compressed, out int compressedLength)) return false;
        try
        {
            if (header.Width < 1 || header.Height < 1 || (long)header.Width * header.Height > maxPixels) return false;
            width = header.Width;
            height = header.Height;
            int channels = header.Channels;
            int stride = width * channels;
            long rawLength = (long)height * (stride + 1);
            if (rawLength > Array.MaxLength) return false;
            var raw = ArrayPool<byte>.Shared.Rent((int)rawLength);
            try
            {
                if (!ZlibInflater.TryInflate(compressed.AsSpan(0, compressedLength), raw.AsSpan(0, (int)rawLength))) return false;
                if (!Unfilter(raw, height, stride, channels)) return false;
                rgb = ArrayPool<byte>.Shared.Rent(width * height * 3);
                ToRgb(raw, height, width, channels, rgb);
                return true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    private readonly record struct Header(int Width, int Height, int Channels);

    /// <summary>
    /// Walks the chunks to IEND, checking every checksum, and gathers the IDAT data. False for anything this decoder
    /// leaves to ImageSharp. On success <paramref name="compressed"/> is rented and the caller returns it.
    /// </summary>
    private static bool TryReadChunks(ReadOnlySpan<byte> file, out Header header, out byte[] compressed, out int compressedLength)
    {
        header = default;
        compressed = [];
        compressedLength = 0;
        if (!file.StartsWith(Signature)) return false;
        int position = Signature.Length;
        bool seenHeader = false, seenData = false, dataEnded = false;
        byte[]? data = null;
        int dataLength = 0;
        try
        {
            while (true)
            {
                if (file.Length - position < 12) return false;
                uint length = BinaryPrimitives.ReadUInt32BigEndian(file[position..]);
                if (length > int.MaxValue || length > (uint)(file.Length - position - 12)) return false;
                var typeAndData = file.Slice(position + 4, 4 + (int)length);
                uint crc = BinaryPrimitives.ReadUInt32BigEndian(file[(position + 8 + (int)length)..]);
                if (Crc32(typeAndData) != crc) return false;
                var type = typeAndData[..4];
                var body = typeAndData[4..];
                position += 12 + (int)length;

                if (!seenHeader)
                {
                    if (!type.SequenceEqual("IHDR"u8) || !TryReadHeader(body, out header)) return false;
                    seenHeader = true;
                }
                else if (type.SequenceEqual("IDAT"u8))
                {
                    if (dataEnded) return false; // IDAT chunks must be consecutive
                    seenData = true;
                    if (data is null || data.Length - dataLength < body.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(dataLength + body.Length, 2 * (data?.Length ?? 0)));
                        if (data is not null)
                        {
                            data.AsSpan(0, dataLength).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(data);
                        }
                        data = larger;
                    }
                    body.CopyTo(data.AsSpan(dataLength));
                    dataLength += body.Length;
                }
                else if (type.SequenceEqual("IEND"u8))
                {
                    if (!seenData || data is null) return false;
                    compressed = data;
                    compressedLength = dataLength;
                    data = null;
                    return true;
                }
                else
                {
                    dataEnded |= seenData;
                    if (!IsHarmlessAncillary(type, body)) return false;
                }
            }
        }
        finally
        {
            if (data is not null) ArrayPool<byte>.Shared.Return(data);
        }
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> body, out Header header)
    {
        header = default;
        if (body.Length != 13) return false;
        int width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body), int.MaxValue);
        int height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[4..]), int.MaxValue);
        byte bitDepth = body[8], colourType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        if (bitDepth != 8 || compression != 0 || filter != 0 || interlace != 0) return false;
        int channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0) return false;
        header = new Header(width, height, channels);
        return true;
    }

    /// <summary>
    /// Ancillary chunks (lower-case first letter) that do not change the RGB pixels ImageSharp produces. Declined:
    /// tRNS, eXIf (an orientation would rotate the image), the APNG chunks, and text chunks holding a raw EXIF profile.
    /// Colour-space chunks (gAMA, iCCP, sRGB, cHRM) are metadata to ImageSharp 2.1 and to PIL alike.
    /// </summary>
    private static bool IsHarmlessAncillary(ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        if ((type[0] & 0x20) == 0) return false; // critical (PLTE or unknown)
        if (type.SequenceEqual("tRNS"u8) || type.SequenceEqual("eXIf"u8) || type.SequenceEqual("acTL"u8)
            || type.SequenceEqual("fcTL"u8) || type.SequenceEqual("fdAT"u8))
            return false;
        if (type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8))
            return !body.StartsWith("Raw profile type"u8);
        return true;
    }

    /// <summary>Reverses the per-row filters in place; the filter byte of each row stays where it was.</summary>
    private static bool Unfilter(byte[] raw, int height, int stride, int bpp)
    {
        for (int y = 0; y < height; y++)
        {
            int start = y * (stride + 1);
            var row = raw.AsSpan(start + 1, stride);
            var previous = y == 0 ? Span<byte>.Empty : raw.AsSpan(start - stride, stride);
            switch (raw[start])
            {
                case 0:
                    break;
                case 1:
                    for (int x = bpp; x < stride; x++) row[x] += row[x - bpp];
                    break;
                case 2:
                    if (y > 0)
                        for (int x = 0; x < stride; x++) row[x] += previous[x];
                    break;
                case 3:
                    for (int x = 0; x < stride; x++)
                    {
                        int left = x >= bpp ? row[x - bpp] : 0, up = y > 0 ? previous[x] : 0;
                        row[x] += (byte)((left + up) >> 1);
                    }
                    break;
                case 4:
                    for (int x = 0; x < stride; x++)
                    {
                        int left = x >= bpp ? row[x - bpp] : 0, up = y > 0 ? previous[x] : 0;
                        int upLeft = x >= bpp && y > 0 ? previous[x - bpp] : 0;
                        row[x] += Paeth(left, up, upLeft);
                    }
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static byte Paeth(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft;
        int toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) return (byte)left;
        return toUp <= toUpLeft ? (byte)up : (byte)upLeft;
    }

    /// <summary>Unfiltered rows to RGB: grey is repeated into the three channels, alpha is dropped.</summary>
    private static void ToRgb(byte[] raw, int height, int width, int channels, byte[] rgb)
    {
        int stride = width * channels;
        for (int y = 0; y < height; y++)
        {
            var row = raw.AsSpan(y * (stride + 1) + 1, stride);
            var output = rgb.AsSpan(y * width * 3, width * 3);
            switch (channels)
            {
                case 3:
                    row.CopyTo(output);
                    break;
                case 1:
                case 2:
                    for (int x = 0; x < width; x++)
                        output[3 * x] = output[3 * x + 1] = output[3 * x + 2] = row[x * channels];
                    break;
                default:
                    for (int x = 0; x < width; x++)
                    {
                        output[3 * x] = row[4 * x];
                        output[3 * x + 1] = row[4 * x + 1];
                        output[3 * x + 2] = row[4 * x + 2];
                    }
                    break;
            }
        }
    }

    private static readonly uint[] CrcTable = CreateCrcTable();

    private static uint[] CreateCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 of the PNG specification (the same as zlib's).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
