using System.Buffers.Binary;

namespace Classifier.Tests.Support;

/// <summary>
/// Reads TFRecord files (TensorBoard event files) the way TensorBoard does, checking both CRCs of every record:
/// u64 length, masked CRC-32C of the length bytes, the data, masked CRC-32C of the data.
/// </summary>
public static class TfRecordReader
{
    public static List<byte[]> ReadRecords(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            Assert.True(bytes.Length - at >= 12, $"{path}: truncated record header at byte {at}");
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            Assert.Equal(MaskedCrc32C(lengthBytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)));
            at += 12;
            Assert.True((ulong)(bytes.Length - at) >= length + 4, $"{path}: record of {length} bytes runs past the end");
            var data = bytes.AsSpan(at, (int)length);
            Assert.Equal(MaskedCrc32C(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length, 4)));
            records.Add(data.ToArray());
            at += (int)length + 4;
        }
        return records;
    }

    /// <summary>TFRecord's CRC mask: rotate right by 15 bits and add a constant.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
