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
                if (!PngFilters.Unfilter(raw, height, stride, channels)) return false;
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

    /// <summary><see cref="TryStreamRows"/> declines images with fewer rows than this.</summary>
    public const int MinStreamedRows = 64;

    /// <summary>Receives row <paramref name="y"/> of the image as RGB bytes (width x 3); rows come in order from 0.</summary>
    public delegate void RgbRowHandler(int y, ReadOnlySpan<byte> rgb);

    /// <summary>
    /// Decodes the same files as <see cref="TryDecode"/>, but hands the image to <paramref name="onRow"/> one RGB row at a
    /// time, holding only two rows of it: a huge plain PNG never exists whole in memory. False when the file is not one
    /// this decoder takes, is not intact (possibly after some rows were handed over), or is over
    /// <paramref name="maxPixels"/>.
    /// </summary>
    public static unsafe bool TryStreamRows(ReadOnlySpan<byte> file, long maxPixels, RgbRowHandler onRow)
    {
        if (!TryReadChunks(file, out var header, out var compressed, out int compressedLength)) return false;
        byte[]? current = null, previous = null, rgb = null;
        try
        {
            if (header.Width < 1 || header.Height < 1 || (long)header.Width * header.Height > maxPixels) return false;
            // Two rows of a very wide, short image cost as much as the image: those are decoded whole.
            if (header.Height < MinStreamedRows) return false;
            int width = header.Width, channels = header.Channels;
            if ((long)width * 4 + 1 > Array.MaxLength) return false;
            int stride = width * channels;
            current = ArrayPool<byte>.Shared.Rent(stride + 1);
            previous = ArrayPool<byte>.Shared.Rent(stride + 1);
            rgb = ArrayPool<byte>.Shared.Rent(width * 3);
            Array.Clear(previous, 0, stride + 1);
            int y = 0;
            byte[] previousRow = previous, rgbRow = rgb;
            return ZlibInflater.TryInflatePieces(compressed.AsSpan(0, compressedLength), current.AsSpan(0, stride + 1), header.Height,
                row =>
                {
                    fixed (byte* data = row)
                    fixed (byte* above = previousRow)
                    {
                        if (!PngFilters.UnfilterRow(data + 1, above + 1, stride, channels)) return false;
                    }
                    var pixels = row[1..];
                    RowToRgb(pixels, width, channels, rgbRow.AsSpan(0, width * 3));
                    pixels.CopyTo(previousRow.AsSpan(1));
                    onRow(y++, rgbRow.AsSpan(0, width * 3));
                    return true;
                });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            if (current is not null) ArrayPool<byte>.Shared.Return(current);
            if (previous is not null) ArrayPool<byte>.Shared.Return(previous);
            if (rgb is not null) ArrayPool<byte>.Shared.Return(rgb);
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

    /// <summary>Unfiltered rows to RGB: grey is repeated into the three channels, alpha is dropped.</summary>
    private static void ToRgb(byte[] raw, int height, int width, int channels, byte[] rgb)
    {
        int stride = width * channels;
        for (int y = 0; y < height; y++)
            RowToRgb(raw.AsSpan(y * (stride + 1) + 1, stride), width, channels, rgb.AsSpan(y * width * 3, width * 3));
    }

    private static void RowToRgb(ReadOnlySpan<byte> row, int width, int channels, Span<byte> output)
    {
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

    /// <summary>The CRC-32 of the PNG specification (the same as zlib's).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes) => System.IO.Hashing.Crc32.HashToUInt32(bytes);
}
