using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using Classifier.Core.Data;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// Files crafted to stall the decoder: an interlaced PNG whose data is one byte short must not hang ImageSharp's decoder;
/// a zTXt chunk must not inflate to gigabytes; a file that decodes slowly (a progressive JPEG that repeats its scans) has
/// a per-file time budget, and the caller's cancellation stops it sooner.
/// </summary>
public sealed class DecoderBudgetTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AnInterlacedPngWhoseDataIsOneByteShort_IsReportedCorrupt_InsteadOfHanging()
    {
        var whole = _dir.Combine("whole.png");
        var shortByOne = _dir.Combine("short.png");
        File.WriteAllBytes(whole, InterlacedRgbPng(28, cut: 0));
        File.WriteAllBytes(shortByOne, InterlacedRgbPng(28, cut: 5)); // the Adler-32 and one byte of the last row gone
        var decoder = new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255));

        var decode = Task.Run(() =>
        {
            var pixels = new byte[28 * 28 * 3];
            bool wholeRead = decoder.TryDecode(whole, pixels, out var wholeError);
            bool shortRead = decoder.TryDecode(shortByOne, pixels, out var shortError);
            return (wholeRead, wholeError, shortRead, shortError);
        });
        var done = await Task.WhenAny(decode, Task.Delay(TimeSpan.FromSeconds(60)));

        Assert.True(done == decode, "decoding an interlaced PNG one byte short hung");
        var (wholeRead, wholeError, shortRead, shortError) = await decode;
        Assert.True(wholeRead, wholeError);
        Assert.False(shortRead);
        Assert.Contains("corrupt or truncated image", shortError);
    }

    [Fact]
    public void APngWithA256MegabyteZtxtChunk_IsDecodedWithoutInflatingIt()
    {
        var path = _dir.Combine("bomb.png");
        File.WriteAllBytes(path, PngWithZtxt(256 << 20));
        Assert.True(new FileInfo(path).Length < 2 << 20);
        var decoder = new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255));
        var pixels = new byte[28 * 28 * 3];

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool read = decoder.TryDecode(path, pixels, out var error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(read, error);
        Assert.True(allocated < 32 << 20, $"{allocated:N0} bytes allocated: the text chunk was inflated");
    }

    [Fact]
    public void TheManyScanJpeg_IsAValidJpeg_ThatDecodesToMidGrey()
    {
        // So that the tests below time out on a slow file, not fail on a broken one.
        var jpeg = _dir.Combine("few-scans.jpg");
        File.WriteAllBytes(jpeg, ManyScanJpeg.Build(1024, 50));
        var pixels = new byte[28 * 28 * 3];

        Assert.True(new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255)).TryDecode(jpeg, pixels, out var error), error);
        Assert.All(pixels, p => Assert.InRange(p, 127, 129)); // every coefficient is 0: level 128
    }

    [Fact]
    public void AFileThatTakesLongerThanTheTimeBudget_IsReportedAndSkipped()
    {
        // 25,000 scans of an 8192x8192 image are 26 billion block visits: no machine finishes them within a 1 s budget.
        var jpeg = _dir.Combine("scans.jpg");
        File.WriteAllBytes(jpeg, ManyScanJpeg.Build(8192, 25_000));
        var pixels = new byte[28 * 28 * 3];
        var decoder = new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255)) { DecodeTimeBudget = TimeSpan.FromSeconds(1) };

        var watch = Stopwatch.StartNew();
        bool read = decoder.TryDecode(jpeg, pixels, out var error);
        watch.Stop();

        Assert.False(read);
        Assert.Contains("took longer than the 1 s allowed to decode one file", error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the 1 s budget ended the decode after {watch.Elapsed}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDecoder(decoder.Preprocessing) { DecodeTimeBudget = TimeSpan.Zero });
    }

    [Fact]
    public void TheCallersCancellation_StopsADecodeInProgress_LongBeforeTheBudget_AndIsNotAFileProblem()
    {
        var jpeg = _dir.Combine("scans.jpg");
        File.WriteAllBytes(jpeg, ManyScanJpeg.Build(8192, 25_000));
        var pixels = new byte[28 * 28 * 3];
        var decoder = new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255));
        using var cancel = new CancellationTokenSource();

        var watch = Stopwatch.StartNew();
        cancel.CancelAfter(TimeSpan.FromSeconds(1));
        var stopped = Assert.ThrowsAny<OperationCanceledException>(() => decoder.TryDecode(jpeg, pixels, out _, cancel.Token));
        watch.Stop();

        // The token is the caller's own, so a Parallel loop or a verb given it knows the cancellation as its own.
        Assert.Equal(cancel.Token, stopped.CancellationToken);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancelled after 1 s, the decode stopped after {watch.Elapsed} (budget 15 s)");
        // An already cancelled token decodes nothing, not even a small file.
        var small = TestImages.Solid(_dir.Combine("small.jpg"), 64, 10, 200, 30);
        Assert.True(decoder.TryDecode(small, pixels, out var error), error);
        Assert.ThrowsAny<OperationCanceledException>(() => decoder.TryDecode(small, pixels, out _, cancel.Token));
    }

    /// <summary>
    /// A size x size Adam7-interlaced RGB PNG whose zlib data is one stored (uncompressed) block, so cutting
    /// <paramref name="cut"/> bytes off its end removes an exact part: 4 the checksum, 5 also the last pixel byte.
    /// </summary>
    private static byte[] InterlacedRgbPng(int size, int cut)
    {
        (int X, int Y, int Dx, int Dy)[] passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        var raw = new List<byte>();
        foreach (var (x, y, dx, dy) in passes)
        {
            int columns = (size - x + dx - 1) / dx, rows = (size - y + dy - 1) / dy;
            for (int r = 0; r < rows; r++)
            {
                raw.Add(0); // filter: none
                for (int c = 0; c < columns; c++) raw.AddRange([0x80, 0x40, 0x20]);
            }
        }
        var zlib = new List<byte> { 0x78, 0x01, 0x01 }; // zlib header, then a final stored block
        zlib.AddRange(BitConverter.GetBytes((ushort)raw.Count));
        zlib.AddRange(BitConverter.GetBytes((ushort)~raw.Count));
        zlib.AddRange(raw);
        zlib.AddRange(BigEndian(Adler32(raw.ToArray())));
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)size);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)size);
        ihdr[8] = 8; ihdr[9] = 2; ihdr[12] = 1; // 8-bit RGB, Adam7
        return [.. Signature, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", zlib.Take(zlib.Count - cut).ToArray()), .. Chunk("IEND", [])];
    }

    /// <summary>A valid 16x16 grey PNG with a zTXt chunk whose text inflates to <paramref name="textBytes"/> bytes of 'A'.</summary>
    private static byte[] PngWithZtxt(int textBytes)
    {
        var text = new MemoryStream();
        using (var z = new ZLibStream(text, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'A');
            for (int i = 0; i < textBytes / block.Length; i++) z.Write(block);
        }
        var pixels = new MemoryStream();
        using (var z = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
            for (int r = 0; r < 16; r++) z.Write(new byte[17]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 16);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 16);
        ihdr[8] = 8; // 8-bit grey
        byte[] ztxt = [.. "Comment"u8, 0, 0, .. text.ToArray()];
        return [.. Signature, .. Chunk("IHDR", ihdr), .. Chunk("zTXt", ztxt), .. Chunk("IDAT", pixels.ToArray()), .. Chunk("IEND", [])];
    }

    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        return [.. BigEndian((uint)data.Length), .. typed, .. BigEndian(Crc32.HashToUInt32(typed))];
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var d in data)
        {
            a = (a + d) % 65521;
            b = (b + a) % 65521;
        }
        return b << 16 | a;
    }
}
