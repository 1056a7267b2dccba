namespace Classifier.Tests.Support;

/// <summary>
/// Writes a grey progressive JPEG that is cheap in bytes and dear in decoding time: one DC scan, then <c>scans</c> AC
/// scans of the whole image. Every AC scan codes all its blocks as end-of-band runs of 16,384 blocks, 15 bits each, so a
/// scan of an 8192x8192 image (1,048,576 blocks) is 130 bytes, while a decoder still visits every block in every scan;
/// 25,000 scans make a 3.2 MB file. It repeats the same band, which the standard does not allow and ImageSharp 2.1
/// decodes anyway.
/// </summary>
public static class ManyScanJpeg
{
    private const int BlocksPerRun = 1 << 14; // an EOBRUN symbol of class 14 with extra bits 0

    /// <summary>The file's bytes; <paramref name="side"/> must be a multiple of 8 whose blocks fill whole runs.</summary>
    public static byte[] Build(int side, int scans)
    {
        int blocks = (side / 8) * (side / 8);
        if (side % 8 != 0 || blocks % BlocksPerRun != 0)
            throw new ArgumentException($"{side} px: the {blocks} blocks must be a multiple of {BlocksPerRun}.", nameof(side));
        var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        Segment(file, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        // SOF2 (progressive, Huffman): 8-bit, side x side, one component (id 1, no subsampling, table 0).
        Segment(file, 0xC2, [8, (byte)(side >> 8), (byte)side, (byte)(side >> 8), (byte)side, 1, 1, 0x11, 0]);
        // DC table 0: category 0 only, code "0". AC table 0: EOBRUN class 14 (0xE0) only, code "0".
        Segment(file, 0xC4, [0x00, 1, .. new byte[15], 0x00, 0x10, 1, .. new byte[15], 0xE0]);
        // The DC scan: every block's difference is 0, one "0" bit each.
        Segment(file, 0xDA, [1, 1, 0x00, 0, 0, 0]);
        file.Write(new byte[blocks / 8]);
        // An AC scan (bands 1 to 63, first pass): code "0" and 14 zero bits per run, then 1 bits to the byte's end.
        int bits = blocks / BlocksPerRun * 15;
        var acData = new byte[(bits + 7) / 8];
        if (bits % 8 != 0) acData[^1] = (byte)(0xFF >> (bits % 8));
        for (int s = 0; s < scans; s++)
        {
            Segment(file, 0xDA, [1, 1, 0x00, 1, 63, 0]);
            file.Write(acData);
        }
        file.Write([0xFF, 0xD9]);
        return file.ToArray();
    }

    private static void Segment(Stream file, byte marker, byte[] payload)
    {
        int length = payload.Length + 2;
        file.Write([0xFF, marker, (byte)(length >> 8), (byte)length]);
        file.Write(payload);
    }
}
