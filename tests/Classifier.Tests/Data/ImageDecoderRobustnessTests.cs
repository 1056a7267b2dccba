using Classifier.Core.Diagnostics;
using Classifier.Core.Data;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Classifier.Tests.Data;

[Collection(AloneCollection.Name)]
public sealed class ImageDecoderRobustnessTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ImageDecoder Decoder(long maxPixels = ImageDecoder.DefaultMaxPixels) =>
        new(new Preprocessing(4, Interpolation.Nearest, 1f / 255), maxPixels);

    private static string Refusal(string path, long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        Assert.False(Decoder(maxPixels).TryDecode(path, new byte[4 * 4 * 3], out var error), $"{path} should be refused");
        return error!;
    }

    private string Noisy(string name, int size = 64)
    {
        var random = new Random(name.Length);
        return TestImages.Write(_dir.Combine(name), size, size,
            (_, _) => new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
    }

    [Theory]
    [InlineData(".jpg", 0.5)]
    [InlineData(".jpg", 0.97)]
    [InlineData(".gif", 0.5)]
    [InlineData(".gif", 0.97)]
    [InlineData(".bmp", 0.5)]
    [InlineData(".bmp", 0.99)]
    [InlineData(".webp", 0.5)]
    [InlineData(".webp", 0.97)]
    [InlineData(".png", 0.5)]
    [InlineData(".tiff", 0.97)]
    public void TryDecode_RefusesAFileCutShort_InEveryFormat(string extension, double kept)
    {
        // ImageSharp 2.1 itself decodes truncated JPEG, GIF, BMP and WebP files without complaint (grey or black
        // where the data is missing); training on such an image would teach the network the damage.
        var path = Noisy("cut" + extension);
        var bytes = File.ReadAllBytes(path);
        Assert.True(Decoder().TryDecode(path, new byte[48], out _), "the whole file decodes");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * kept)]);

        Assert.StartsWith("corrupt", Refusal(path));
    }

    [Fact]
    public void TryDecode_AcceptsAJpegWithDataAfterItsEndMarker_AsPhoneMotionPhotosHave()
    {
        var path = Noisy("motion.jpg");
        File.AppendAllText(path, "ftypmp42 and a video would follow here");
        Assert.True(Decoder().TryDecode(path, new byte[48], out var error), error);
    }

    [Fact]
    public void TryDecode_RefusesAPngWithABadChecksum()
    {
        var path = BadFiles.BadCrcPng(_dir.Combine("crc.png"));
        Assert.Contains("CRC Error", Refusal(path));
    }

    [Fact]
    public void TryDecode_RefusesAFormatImageSharpKnowsButClassifyDoesNotRead()
    {
        var path = BadFiles.UnsupportedFormat(_dir.Combine("pixmap.png"));
        Assert.Contains("not an image in a supported format", Refusal(path));
    }

    [Fact]
    public void TryDecode_ReadsOnlyTheFirstFrameOfAnAnimatedGif()
    {
        var path = _dir.Combine("anim.gif");
        using (var image = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 0)))
        {
            using var second = new Image<Rgb24>(4, 4, new Rgb24(0, 0, 255));
            image.Frames.AddFrame(second.Frames.RootFrame);
            image.Save(path, new GifEncoder());
        }
        var pixels = new byte[48];
        Assert.True(Decoder().TryDecode(path, pixels, out var error), error);
        Assert.Equal(new byte[] { 255, 0, 0 }, pixels[..3]);
    }

    [Fact]
    public void TryDecode_RefusesAnAnimatedWebp_SayingAnimatedWebpIsNotSupported()
    {
        // ImageSharp 2.1 throws "Animated webp are not yet supported" for any animated WebP, however small.
        var chunks = new MemoryStream();
        void Chunk(string type, byte[] payload)
        {
            chunks.Write(System.Text.Encoding.ASCII.GetBytes(type));
            chunks.Write(BitConverter.GetBytes(payload.Length));
            chunks.Write(payload);
        }
        Chunk("VP8X", [0x02, 0, 0, 0, 9, 0, 0, 9, 0, 0]); // animation flag; canvas 9+1 x 9+1
        Chunk("ANIM", new byte[6]);
        for (int i = 0; i < 2; i++) Chunk("ANMF", new byte[16]);
        var body = chunks.ToArray();
        var path = _dir.Combine("anim.webp");
        File.WriteAllBytes(path, [.. "RIFF"u8, .. BitConverter.GetBytes(body.Length + 4), .. "WEBP"u8, .. body]);

        Assert.Contains("animated WebP is not supported", Refusal(path));
    }

    [Theory]
    [InlineData(0, 255, 255, 255, 0, 255, 255)] // cyan ink
    [InlineData(255, 0, 255, 255, 255, 0, 255)] // magenta ink
    [InlineData(255, 255, 0, 255, 255, 255, 0)] // yellow ink
    [InlineData(255, 255, 255, 0, 0, 0, 0)]     // black ink
    public void TryDecode_TurnsACmykJpegIntoTheMatchingRgb(byte c, byte m, byte y, byte k, byte r, byte g, byte b)
    {
        var path = CmykJpeg.Write(_dir.Combine("cmyk.jpg"), c, m, y, k);
        var pixels = new byte[48];

        Assert.True(Decoder().TryDecode(path, pixels, out var error), error);

        for (int i = 0; i < pixels.Length; i += 3)
        {
            Assert.InRange(pixels[i], Math.Max(0, r - 3), Math.Min(255, r + 3));
            Assert.InRange(pixels[i + 1], Math.Max(0, g - 3), Math.Min(255, g + 3));
            Assert.InRange(pixels[i + 2], Math.Max(0, b - 3), Math.Min(255, b + 3));
        }
    }

    [Fact]
    public void TryDecode_RefusesAPngHeaderClaiming60000x60000_BeforeAllocating()
    {
        var path = BadFiles.HugeHeaderPng(_dir.Combine("bomb.png"));
        var decoder = Decoder();
        Assert.False(decoder.TryDecode(path, new byte[48], out _)); // warm up code paths outside the measurement

        var (error, peakGrowth, allocated) = Measure(() => { decoder.TryDecode(path, new byte[48], out var e); return e; });

        output.WriteLine($"peak resident growth {peakGrowth / 1024} KiB, managed allocations {allocated / 1024} KiB");
        Assert.Contains("60000x60000 pixels is over the limit of 90,000,000 (--max-pixels)", error);
        Assert.InRange(allocated, 0, 16L << 20);
        if (ProcessMemory.IsAvailable) Assert.InRange(peakGrowth, 0, 64L << 20);
    }

    [Fact]
    public void TryDecode_WithThePixelLimitRaised_TheAllocationCapStillRefuses60000x60000_WithLowMemory()
    {
        // 60000 x 60000 RGB is 10.8 GB. With --max-pixels out of the way, ImageSharp's allocator limit refuses it.
        var path = BadFiles.HugeHeaderPng(_dir.Combine("bomb.png"));
        var decoder = Decoder(maxPixels: 4_000_000_000);

        var (error, peakGrowth, allocated) = Measure(() => { decoder.TryDecode(path, new byte[48], out var e); return e; });

        output.WriteLine($"{error}; peak resident growth {peakGrowth / 1024} KiB, managed allocations {allocated / 1024} KiB");
        Assert.Contains("more memory than the decoding limit", error);
        Assert.InRange(allocated, 0, 64L << 20);
        if (ProcessMemory.IsAvailable) Assert.InRange(peakGrowth, 0, 200L << 20);
    }

    [Fact]
    public void TryDecode_RefusesABmpWhoseDataOffsetLiesPastItsEnd_WithoutAllocatingForIt()
    {
        // ImageSharp 2.1 sizes the palette buffer from this offset before comparing it with the file length;
        // the fuzzer found a 41-byte file that made it allocate 700 MB.
        var path = _dir.Combine("offset.bmp");
        using (var image = new Image<Rgb24>(8, 8, new Rgb24(1, 2, 3)))
            image.Save(path, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 });
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(700_000_000).CopyTo(bytes, 10);
        File.WriteAllBytes(path, bytes);

        var (error, _, allocated) = Measure(() => { Decoder().TryDecode(path, new byte[48], out var e); return e; });

        Assert.Contains("pixel data offset 700,000,000 is past the end", error);
        Assert.InRange(allocated, 0, 16L << 20);
    }

    private static (string? Result, long PeakGrowth, long Allocated) Measure(Func<string?> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessMemory.ResetPeak();
        long before = ProcessMemory.CurrentBytes;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var result = action();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (result, Math.Max(0, ProcessMemory.PeakBytes - before), allocated);
    }
}
