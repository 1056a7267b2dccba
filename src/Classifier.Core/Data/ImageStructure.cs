using System.Buffers.Binary;

namespace Classifier.Core.Data;

/// <summary>
/// Structural checks ImageSharp 2.1 does not make. Its JPEG, GIF, BMP and WebP decoders decode a file cut off halfway
/// without complaint (the missing part comes out grey or black), and its BMP decoder sizes a buffer from the header's
/// pixel-data offset before comparing it with the file length. These checks walk the container (JPEG segments and
/// scans to the end-of-image marker, GIF blocks, the BMP pixel array's extent, the WebP RIFF length) and report a
/// file that ends early. They never judge what they do not recognise; the decoder does that.
/// </summary>
internal static class ImageStructure
{
    /// <summary>
    /// Why <paramref name="stream"/> is structurally bad, or null. Leaves the stream at its start.
    /// </summary>
    public static string? Problem(Stream stream)
    {
        try
        {
            stream.Position = 0;
            Span<byte> magic = stackalloc byte[4];
            int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (read < magic.Length) return null;
            if (magic[0] == 0xFF && magic[1] == 0xD8) return JpegProblem(stream);
            if (magic[0] == 'G' && magic[1] == 'I' && magic[2] == 'F') return GifProblem(stream);
            if (magic[0] == 'B' && magic[1] == 'M') return BmpProblem(stream);
            if (magic.SequenceEqual("RIFF"u8)) return WebpProblem(stream);
            if (magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G') return InterlacedPng.Problem(stream);
            return null;
        }
        finally
        {
            stream.Position = 0;
        }
    }

    private const string Truncated = "corrupt or truncated image";

    /// <summary>
    /// Walks marker segments by their lengths (so thumbnails inside APP1 are skipped) and entropy-coded scans byte by
    /// byte (where 0xFF is always followed by 0x00 or a restart marker) until the end-of-image marker. Bytes after it
    /// (phone cameras append videos) are ignored.
    /// </summary>
    private static string? JpegProblem(Stream s)
    {
        const string Message = Truncated + " (JPEG: the file ends before its end-of-image marker)";
        s.Position = 2;
        int marker = -1;
        while (true)
        {
            if (marker < 0)
            {
                int b;
                do b = s.ReadByte(); while (b >= 0 && b != 0xFF); // tolerate stray bytes between segments, as libjpeg does
                if (b < 0) return Message;
                do marker = s.ReadByte(); while (marker == 0xFF);
                if (marker < 0) return Message;
            }
            int current = marker;
            marker = -1;
            if (current == 0xD9) return null;
            if (current == 0x01 || current is >= 0xD0 and <= 0xD7 || current == 0x00) continue;
            int hi = s.ReadByte(), lo = s.ReadByte();
            if (lo < 0) return Message;
            int length = (hi << 8) | lo;
            if (length < 2) return null; // malformed, not truncated: the decoder reports it
            if (s.Position + length - 2 > s.Length) return Message;
            s.Seek(length - 2, SeekOrigin.Current);
            if (current != 0xDA) continue;
            // Entropy-coded data of a scan, up to the next real marker.
            while (marker < 0)
            {
                int b = s.ReadByte();
                if (b < 0) return Message;
                if (b != 0xFF) continue;
                int next;
                do next = s.ReadByte(); while (next == 0xFF);
                if (next < 0) return Message;
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) continue;
                marker = next;
            }
        }
    }

    /// <summary>Walks the GIF's blocks; ending inside a block is truncation (a missing final trailer alone is tolerated).</summary>
    private static string? GifProblem(Stream s)
    {
        const string Message = Truncated + " (GIF: the file ends inside a block)";
        if (s.Length < 13) return Message;
        s.Position = 10;
        int packed = s.ReadByte();
        s.Position = 13;
        if ((packed & 0x80) != 0 && !Skip(s, 3 << ((packed & 7) + 1))) return Message;
        while (true)
        {
            int block = s.ReadByte();
            switch (block)
            {
                case < 0:
                case 0x3B:
                    return null;
                case 0x21:
                    if (s.ReadByte() < 0 || !SkipSubBlocks(s)) return Message;
                    break;
                case 0x2C:
                {
                    Span<byte> descriptor = stackalloc byte[9];
                    if (s.ReadAtLeast(descriptor, 9, throwOnEndOfStream: false) < 9) return Message;
                    if ((descriptor[8] & 0x80) != 0 && !Skip(s, 3 << ((descriptor[8] & 7) + 1))) return Message;
                    if (s.ReadByte() < 0 || !SkipSubBlocks(s)) return Message; // LZW minimum code size, then the data
                    break;
                }
                default:
                    return null; // not a block we know: the decoder judges
            }
        }
    }

    /// <summary>An uncompressed BMP must hold its whole pixel array; its pixel-data offset must lie inside the file.</summary>
    private static string? BmpProblem(Stream s)
    {
        Span<byte> header = stackalloc byte[34]; // file header (14) and the info header up to its compression field
        int read = s.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < 18) return Truncated + " (BMP: the file ends inside its header)";
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
        if (offset > s.Length)
            return $"{Truncated} (BMP: pixel data offset {offset:N0} is past the end of the {s.Length:N0}-byte file)";
        int infoSize = BinaryPrimitives.ReadInt32LittleEndian(header[14..]);
        if (infoSize < 40 || read < header.Length) return null; // OS/2 headers and short files: the decoder judges
        long width = BinaryPrimitives.ReadInt32LittleEndian(header[18..]);
        long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(header[22..]));
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(header[30..]);
        if (compression is not (0 or 3 or 6) || width <= 0 || bitsPerPixel is 0 or > 64) return null; // RLE, JPEG, PNG inside: no fixed size
        long rowBytes = (bitsPerPixel * width + 31) / 32 * 4;
        long needed = offset + rowBytes * height;
        return needed > s.Length
            ? $"{Truncated} (BMP: {width}x{height} pixels need {needed:N0} bytes but the file has {s.Length:N0})"
            : null;
    }

    /// <summary>
    /// A RIFF container states its length; a WebP file shorter than that was cut off. ImageSharp 2.1 cannot decode an
    /// animated WebP (it throws "Animated webp are not yet supported"), so one is refused here with a clear reason.
    /// </summary>
    private static string? WebpProblem(Stream s)
    {
        Span<byte> header = stackalloc byte[21]; // RIFF header (12), then a VP8X chunk header (8) and its flags byte
        int read = s.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < 12 || !header[8..12].SequenceEqual("WEBP"u8)) return null;
        long riffLength = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) + 8L;
        if (riffLength > s.Length)
            return $"{Truncated} (WebP: the header states {riffLength:N0} bytes but the file has {s.Length:N0})";
        if (read < header.Length || !header[12..16].SequenceEqual("VP8X"u8) || (header[20] & 0x02) == 0) return null;
        return AnimatedWebp;
    }

    /// <summary>The reason given for an animated WebP file.</summary>
    internal const string AnimatedWebp =
        "animated WebP is not supported (the decoder reads still WebP images only); save its first frame as a PNG or a still WebP";

    private static bool Skip(Stream s, long count)
    {
        if (s.Position + count > s.Length) return false;
        s.Seek(count, SeekOrigin.Current);
        return true;
    }

    private static bool SkipSubBlocks(Stream s)
    {
        while (true)
        {
            int size = s.ReadByte();
            if (size < 0) return false;
            if (size == 0) return true;
            if (!Skip(s, size)) return false;
        }
    }
}
