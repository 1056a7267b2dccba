using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Classifier.Core.Data;

/// <summary>
/// The check that keeps ImageSharp 2.1 out of its endless loop: its PNG decoder, given an Adam7-interlaced image whose
/// compressed data ends before the last pass is complete, waits for more rows forever (a 99-byte 28x28 RGB file whose
/// IDAT is one byte short spun every verb at 100% CPU). Non-interlaced data that ends early is reported by the decoder
/// itself. So before an interlaced PNG is decoded, its IDAT data is inflated here (in 64 KB pieces, counted and
/// discarded) and must give every byte the seven passes need.
/// </summary>
internal static class InterlacedPng
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The Adam7 passes: first column, first row, column step, row step.</summary>
    private static readonly (int X, int Y, int Dx, int Dy)[] Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>
    /// Why the interlaced PNG in <paramref name="s"/> cannot be decoded (its image data is short), or null when it is
    /// not an interlaced PNG or its data is complete. The stream's position is left anywhere.
    /// </summary>
    public static string? Problem(Stream s)
    {
        Span<byte> header = stackalloc byte[8 + 8 + 13];
        s.Position = 0;
        if (s.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length) return null;
        if (!header[..8].SequenceEqual(Signature) || !header.Slice(12, 4).SequenceEqual("IHDR"u8)) return null;
        var ihdr = header[16..];
        long width = BinaryPrimitives.ReadUInt32BigEndian(ihdr), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        int bitDepth = ihdr[8], colorType = ihdr[9], interlace = ihdr[12];
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (interlace != 1 || channels == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16) || width == 0 || height == 0) return null;

        long expected = 0;
        foreach (var (x, y, dx, dy) in Passes)
        {
            long columns = (width - x + dx - 1) / dx, rows = (height - y + dy - 1) / dy;
            if (columns > 0 && rows > 0) expected += rows * ((columns * channels * bitDepth + 7) / 8 + 1); // +1: filter byte
        }
        s.Position = 8 + 8 + 13 + 4; // after IHDR's CRC
        return InflatedLength(new IdatStream(s), expected) < expected
            ? "corrupt or truncated image (the interlaced PNG's image data ends before its last pass)"
            : null;
    }

    /// <summary>How many bytes the zlib data gives, counting up to <paramref name="limit"/>; a damaged stream counts what came before.</summary>
    private static long InflatedLength(Stream compressed, long limit)
    {
        var piece = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int read;
            while (total < limit && (read = zlib.Read(piece, 0, (int)Math.Min(piece.Length, limit - total))) > 0) total += read;
        }
        catch (InvalidDataException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
        return total;
    }

    /// <summary>The data of a PNG's IDAT chunks in file order, read from the chunk after IHDR on; other chunks are skipped.</summary>
    private sealed class IdatStream(Stream file) : Stream
    {
        private long _left; // bytes of the current IDAT chunk not yet read
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_left == 0 && !_ended) NextChunk();
            if (_ended) return 0;
            int read = file.Read(buffer, offset, (int)Math.Min(count, _left));
            if (read <= 0)
            {
                _ended = true;
                return 0;
            }
            _left -= read;
            if (_left == 0 && file.Position + 4 <= file.Length) file.Position += 4; // the chunk's CRC
            return read;
        }

        private void NextChunk()
        {
            Span<byte> head = stackalloc byte[8];
            if (file.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8)
            {
                _ended = true;
                return;
            }
            long length = BinaryPrimitives.ReadUInt32BigEndian(head);
            var type = head[4..];
            if (type.SequenceEqual("IEND"u8)) _ended = true;
            else if (type.SequenceEqual("IDAT"u8)) _left = Math.Min(length, file.Length - file.Position);
            else if (file.Position + length + 4 > file.Length) _ended = true;
            else file.Position += length + 4;
            if (_left == 0 && type.SequenceEqual("IDAT"u8) && !_ended) file.Position = Math.Min(file.Length, file.Position + 4);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
