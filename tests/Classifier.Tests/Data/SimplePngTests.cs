using System.Buffers.Binary;
using Classifier.Core.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Data;

/// <summary>
/// The fast PNG path must give exactly the pixels ImageSharp gives, and leave every file it does not fully
/// understand to ImageSharp.
/// </summary>
public sealed class SimplePngTests
{
    private static byte[] Png(int width, int height, PngColorType colour, PngFilterMethod filter, int seed = 1,
        PngBitDepth depth = PngBitDepth.Bit8, PngInterlaceMode interlace = PngInterlaceMode.None, Action<Image<Rgba32>>? edit = null)
    {
        var random = new Random(seed);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                // Gradients plus noise, so every filter type has work to do.
                image[x, y] = new Rgba32((byte)(x * 7 + random.Next(9)), (byte)(y * 5 + random.Next(9)),
                    (byte)((x + y) * 3 + random.Next(40)), (byte)(255 - random.Next(200)));
        edit?.Invoke(image);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder
        {
            ColorType = colour, FilterMethod = filter, BitDepth = depth, InterlaceMethod = interlace,
            TransparentColorMode = PngTransparentColorMode.Preserve,
        });
        return stream.ToArray();
    }

    /// <summary>What ImageSharp alone makes of the file: a stream that is not a MemoryStream skips the fast path.</summary>
    private static (bool Ok, byte[] Pixels, string? Error) ImageSharpDecode(byte[] file, Preprocessing preprocessing)
    {
        var pixels = new byte[preprocessing.PixelBytes];
        using var stream = new BufferedStream(new MemoryStream(file));
        bool ok = new ImageDecoder(preprocessing).TryDecode(stream, pixels, out var error);
        return (ok, pixels, error);
    }

    private static (bool Ok, byte[] Pixels, string? Error) Decode(byte[] file, Preprocessing preprocessing)
    {
        var pixels = new byte[preprocessing.PixelBytes];
        using var stream = new MemoryStream(file, 0, file.Length, writable: false, publiclyVisible: true);
        bool ok = new ImageDecoder(preprocessing).TryDecode(stream, pixels, out var error);
        return (ok, pixels, error);
    }

    /// <summary>
    /// Asserts that the decoder gives what ImageSharp alone gives (success or refusal, the reason, the pixels) and
    /// returns whether it succeeded.
    /// </summary>
    private static bool AssertDecodesAsImageSharp(byte[] file, Preprocessing preprocessing)
    {
        var expected = ImageSharpDecode(file, preprocessing);
        var actual = Decode(file, preprocessing);
        Assert.Equal(expected.Ok, actual.Ok);
        Assert.Equal(expected.Error, actual.Error);
        Assert.Equal(expected.Pixels, actual.Pixels);
        return actual.Ok;
    }

    private static bool Accepts(byte[] file)
    {
        bool accepted = SimplePng.TryDecode(file, ImageDecoder.DefaultMaxPixels, out var rgb, out _, out _);
        if (accepted) System.Buffers.ArrayPool<byte>.Shared.Return(rgb);
        return accepted;
    }

    public static TheoryData<PngColorType, PngFilterMethod> ColourTypesAndFilters()
    {
        var data = new TheoryData<PngColorType, PngFilterMethod>();
        foreach (var colour in new[] { PngColorType.Grayscale, PngColorType.GrayscaleWithAlpha, PngColorType.Rgb, PngColorType.RgbWithAlpha })
            foreach (var filter in Enum.GetValues<PngFilterMethod>())
                data.Add(colour, filter);
        return data;
    }

    [Theory]
    [MemberData(nameof(ColourTypesAndFilters))]
    public void FastPath_GivesImageSharpsPixels_ForEveryColourTypeAndFilter(PngColorType colour, PngFilterMethod filter)
    {
        var file = Png(29, 23, colour, filter);
        Assert.True(Accepts(file));

        foreach (var preprocessing in new[]
        {
            new Preprocessing(29, Interpolation.Nearest, 1f / 255), // a non-square file: resized either way
            new Preprocessing(16, Interpolation.Nearest, 1f / 255),
            new Preprocessing(40, Interpolation.Bilinear, 1f / 255),
        })
            Assert.True(AssertDecodesAsImageSharp(file, preprocessing));
    }

    [Fact]
    public void FastPath_GivesImageSharpsPixels_AtTheNetworkSize()
    {
        var file = Png(28, 28, PngColorType.Rgb, PngFilterMethod.Adaptive, seed: 5);
        var preprocessing = new Preprocessing(28, Interpolation.Nearest, 1f / 255);

        Assert.True(Accepts(file));
        Assert.True(AssertDecodesAsImageSharp(file, preprocessing));
    }

    [Fact]
    public void FastPath_ReadsTheBundledSample_AsImageSharpDoes()
    {
        var preprocessing = new Preprocessing(28, Interpolation.Nearest, 1f / 255);
        var files = Directory.GetFiles(Support.SampleData.FashionMini, "*.png", SearchOption.AllDirectories).Take(50).ToArray();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            var file = File.ReadAllBytes(path);
            Assert.True(Accepts(file), path);
            Assert.True(AssertDecodesAsImageSharp(file, preprocessing), path);
        }
    }

    public static TheoryData<string> Declined() =>
    [
        "palette", "16-bit", "interlaced", "transparent colour", "exif", "bad checksum", "truncated", "no end chunk",
    ];

    [Theory]
    [MemberData(nameof(Declined))]
    public void FastPath_LeavesUnusualFiles_ToImageSharp(string kind)
    {
        var plain = Png(12, 10, PngColorType.Rgb, PngFilterMethod.Paeth);
        var file = kind switch
        {
            "palette" => Png(12, 10, PngColorType.Palette, PngFilterMethod.None),
            "16-bit" => Png(12, 10, PngColorType.Rgb, PngFilterMethod.None, depth: PngBitDepth.Bit16),
            "interlaced" => Png(12, 10, PngColorType.Rgb, PngFilterMethod.None, interlace: PngInterlaceMode.Adam7),
            "transparent colour" => InsertChunk(plain, "tRNS", [0, 1, 0, 2, 0, 3]),
            "exif" => Png(12, 10, PngColorType.Rgb, PngFilterMethod.None, edit: image =>
            {
                image.Metadata.ExifProfile = new ExifProfile();
                image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            }),
            "bad checksum" => FlipLastByteOfFirstIdat(plain),
            "truncated" => plain[..(plain.Length - 20)],
            "no end chunk" => plain[..(plain.Length - 12)],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var preprocessing = new Preprocessing(8, Interpolation.Nearest, 1f / 255);

        Assert.False(Accepts(file));
        // Whatever ImageSharp makes of it, pixels or a refusal, is what the decoder gives.
        AssertDecodesAsImageSharp(file, preprocessing);
    }

    [Fact]
    public void FastPath_RefusesImagesOverThePixelLimit()
    {
        var file = Png(30, 30, PngColorType.Grayscale, PngFilterMethod.None);

        Assert.False(SimplePng.TryDecode(file, maxPixels: 899, out _, out _, out _));
        Assert.True(SimplePng.TryDecode(file, maxPixels: 900, out var rgb, out _, out _));
        System.Buffers.ArrayPool<byte>.Shared.Return(rgb);
    }

    /// <summary>
    /// Damaged compressed data with valid chunk checksums (what a checksum cannot catch): the fast path either gives
    /// ImageSharp's pixels or declines; it never accepts what ImageSharp would decode differently.
    /// </summary>
    [Fact]
    public void FastPath_OnDamagedDataWithValidChecksums_AgreesWithImageSharpOrDeclines()
    {
        var preprocessing = new Preprocessing(16, Interpolation.Nearest, 1f / 255);
        var random = new Random(7);
        int accepted = 0;
        for (int n = 0; n < 300; n++)
        {
            var file = Png(16, 16, PngColorType.Rgb, PngFilterMethod.Adaptive, seed: n);
            var (start, length) = FirstIdat(file);
            // Damage the compressed rows (past the 2-byte zlib header), then make the chunk checksum right again.
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                file[start + 2 + random.Next(length - 2)] ^= (byte)(1 << random.Next(8));
            FixCrc(file, start - 8, length);

            if (!Accepts(file)) continue;
            accepted++;
            var expected = ImageSharpDecode(file, preprocessing);
            Assert.True(expected.Ok, $"case {n}: accepted a file ImageSharp refuses ({expected.Error})");
            Assert.Equal(expected.Pixels, Decode(file, preprocessing).Pixels);
        }
        Assert.InRange(accepted, 1, 300); // some damage survives inflation, so the comparison did run
    }

    private static (int Start, int Length) FirstIdat(byte[] file)
    {
        int position = 8;
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(position));
            if (file.AsSpan(position + 4, 4).SequenceEqual("IDAT"u8)) return (position + 8, length);
            position += 12 + length;
        }
    }

    private static void FixCrc(byte[] file, int chunkStart, int length) =>
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(chunkStart + 8 + length),
            SimplePng.Crc32(file.AsSpan(chunkStart + 4, 4 + length)));

    private static byte[] FlipLastByteOfFirstIdat(byte[] file)
    {
        var copy = (byte[])file.Clone();
        var (start, length) = FirstIdat(copy);
        copy[start + length - 1] ^= 0x55;
        return copy;
    }

    /// <summary>Inserts a chunk with a valid checksum right after IHDR.</summary>
    private static byte[] InsertChunk(byte[] file, string type, byte[] body)
    {
        var chunk = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        body.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), SimplePng.Crc32(chunk.AsSpan(4, 4 + body.Length)));
        const int afterHeader = 8 + 12 + 13;
        return [.. file[..afterHeader], .. chunk, .. file[afterHeader..]];
    }
}
