using System.Buffers.Binary;

namespace Classifier.Core.Export;

/// <summary>
/// Sets the modification time of every entry of a zip archive that was just written to a stream to 1980-01-01 00:00,
/// the earliest a zip can hold (as reproducible-build tools do), so the same model exports to the same bytes.
/// <see cref="System.IO.Compression.ZipArchive"/> stamps each entry with the time it was created, and the archives
/// TorchSharp.PyBridge writes for <c>torch.load</c> come from it with no way to set the time.
/// </summary>
internal static class ZipTimestamps
{
    private const uint LocalHeader = 0x04034b50, CentralHeader = 0x02014b50, EndOfCentralDirectory = 0x06054b50;
    private const int EndRecordSize = 22, CentralHeaderSize = 46;
    private const ushort Midnight = 0, January1st1980 = (1 << 5) | 1;   // DOS date: years since 1980 << 9 | month << 5 | day

    /// <summary>
    /// Rewrites the times in place in <paramref name="stream"/>, which holds the archive from its start (offsets are
    /// positions in the stream) and ends with it. Returns false, changing nothing, where the stream cannot be read back
    /// (a pipe, a device) or the archive is not one this knows (a comment after it, zip64, a header out of place).
    /// </summary>
    public static bool Normalize(Stream stream)
    {
        if (!stream.CanSeek || !stream.CanRead || stream.Length < EndRecordSize) return false;
        stream.Flush();
        var end = ReadAt(stream, stream.Length - EndRecordSize, EndRecordSize);
        if (end is null || U32(end, 0) != EndOfCentralDirectory || U16(end, 20) != 0) return false;
        int entries = U16(end, 10);
        uint size = U32(end, 12), offset = U32(end, 16);
        if (entries == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF) return false;   // zip64
        var central = ReadAt(stream, offset, (int)size);
        if (central is null) return false;

        // First check every header, then write: an archive this cannot read is left exactly as it was.
        var headers = new List<(int Central, long Local)>(entries);
        int at = 0;
        for (int i = 0; i < entries; i++)
        {
            if (at + CentralHeaderSize > central.Length || U32(central, at) != CentralHeader) return false;
            long local = U32(central, at + 42);
            if (ReadAt(stream, local, 4) is not { } signature || U32(signature, 0) != LocalHeader) return false;
            headers.Add((at, local));
            at += CentralHeaderSize + U16(central, at + 28) + U16(central, at + 30) + U16(central, at + 32);
        }
        if (at != central.Length) return false;

        Span<byte> time = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(time, Midnight);
        BinaryPrimitives.WriteUInt16LittleEndian(time[2..], January1st1980);
        foreach (var (centralAt, local) in headers)
        {
            time.CopyTo(central.AsSpan(centralAt + 12));
            stream.Position = local + 10;
            stream.Write(time);
        }
        stream.Position = offset;
        stream.Write(central);
        stream.Position = stream.Length;
        return true;
    }

    private static byte[]? ReadAt(Stream stream, long position, int count)
    {
        if (position < 0 || position + count > stream.Length) return null;
        var bytes = new byte[count];
        stream.Position = position;
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static ushort U16(byte[] bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at));

    private static uint U32(byte[] bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
}
