namespace Classifier.Tests.Support;

/// <summary>
/// Writes a minimal baseline CMYK JPEG by hand (ImageSharp 2.1 cannot encode CMYK): one 8x8 block per component,
/// an Adobe APP14 marker saying "CMYK, no transform", a quantisation table of ones and Huffman tables holding only
/// the symbols needed. Every pixel has the same stored C, M, Y, K values, each 0 or 255. As in Adobe's files the
/// stored values are inverted (255 means no ink), so (0, 255, 255, 255) is pure cyan ink.
/// </summary>
public static class CmykJpeg
{
    public static string Write(string path, byte c, byte m, byte y, byte k)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        Segment(file, 0xEE, [.. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, 0]); // version 100, flags, transform 0 (CMYK)
        Segment(file, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(file, 0xC0, [8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        // DC table 0: categories 10 and 11 with 2-bit codes 00 and 01. AC table 0: end-of-block only, code 0.
        Segment(file, 0xC4, [0x00, 0, 2, .. new byte[14], 10, 11, 0x10, 1, .. new byte[15], 0x00]);
        Segment(file, 0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);
        var bits = new BitWriter(file);
        foreach (var value in new[] { c, m, y, k })
        {
            // A flat block's only coefficient is DC = 8 x (value - 128): -1024 (category 11) or 1016 (category 10).
            int dc = 8 * (value - 128);
            if (dc == -1024)
            {
                bits.Write(0b01, 2);
                bits.Write(dc + 2047, 11); // negative values are stored as value + 2^category - 1
            }
            else if (dc == 1016)
            {
                bits.Write(0b00, 2);
                bits.Write(dc, 10);
            }
            else
            {
                throw new ArgumentException("Only 0 and 255 are supported.");
            }
            bits.Write(0, 1); // end of block
        }
        bits.Flush();
        file.Write([0xFF, 0xD9]);
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    private static void Segment(Stream file, byte marker, byte[] payload)
    {
        int length = payload.Length + 2;
        file.Write([0xFF, marker, (byte)(length >> 8), (byte)length]);
        file.Write(payload);
    }

    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int bitCount)
        {
            for (int i = bitCount - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8) Emit();
            }
        }

        /// <summary>Pads the last byte with ones, as the standard asks.</summary>
        public void Flush()
        {
            while (_count != 0) Write(1, 1);
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF) output.WriteByte(0x00); // byte stuffing inside entropy-coded data
            _buffer = 0;
            _count = 0;
        }
    }
}
