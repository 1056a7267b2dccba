using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Classifier.Core.Data;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// A plain PNG over 16 Mpx is decoded row by row into what the network needs; its full-size pixels never exist in
/// memory.
/// </summary>
public sealed class LargePngTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Writes an 8-bit PNG (colour type 2 = RGB, 0 = grey, 6 = RGBA) whose pixel (x, y) channel c is
    /// <paramref name="value"/>(x, y, c), compressing row by row so that even a huge one costs little to make.
    /// </summary>
    private string WritePng(string name, int width, int height, int colourType, Func<int, int, int, byte> value)
    {
        int channels = colourType switch { 0 => 1, 2 => 3, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + width * channels];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < channels; c++)
                        row[1 + x * channels + c] = value(x, y, c);
                zlib.Write(row);
            }
        }
        var path = _dir.Combine(name);
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = (byte)colourType;
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
        return path;
    }

    private static void WriteChunk(Stream file, string type, byte[] body)
    {
        var typeAndBody = Encoding.ASCII.GetBytes(type).Concat(body).ToArray();
        var word = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        file.Write(word);
        file.Write(typeAndBody);
        BinaryPrimitives.WriteUInt32BigEndian(word, System.IO.Hashing.Crc32.HashToUInt32(typeAndBody));
        file.Write(word);
    }

    private static byte[] Decode(string path, int size, Interpolation interpolation, long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        var decoder = new ImageDecoder(new Preprocessing(size, interpolation, 1f / 255), maxPixels);
        var pixels = new byte[size * size * 3];
        Assert.True(decoder.TryDecode(path, pixels, out var error), error);
        return pixels;
    }

    private static byte Pattern(int x, int y, int c) => (byte)(c == 0 ? x % 251 : c == 1 ? y % 241 : (x * 7 + y * 3) % 256);

    [Theory]
    [InlineData(4100, 4000)] // 16.4 Mpx: over the streaming threshold
    [InlineData(280_000, 60)] // too few rows to stream (two rows would cost as much as the image): decoded whole
    public void ALargePlainPng_WithNearest_GivesThePixelsUnderEachCentre_AsDecodingWholeWould(int width, int height)
    {
        const int size = 28;
        Assert.True((long)width * height > LargeImageGate.LargePixels);
        var path = WritePng("large.png", width, height, 2, Pattern);

        var pixels = Decode(path, size, Interpolation.Nearest);

        // PIL's nearest rule, which the whole-image path follows: output i takes source floor((i + 0.5) x in / out).
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sourceX = (int)((double)width / size * (x + 0.5)), sourceY = (int)((double)height / size * (y + 0.5));
                for (int c = 0; c < 3; c++)
                    Assert.Equal(Pattern(sourceX, sourceY, c), pixels[(y * size + x) * 3 + c]);
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(6)]
    public void ALargePlainPng_WithBilinear_IsTheAreaAverage_WithinTwoLevels(int colourType)
    {
        const int width = 4100, height = 4000, size = 32;
        // Smooth ramps: the average of each output pixel's area is the ramp's value at its centre.
        byte Ramp(int x, int y, int c) => (byte)(c == 1 ? y * 255 / (height - 1) : c == 3 ? 77 : x * 255 / (width - 1));
        var path = WritePng($"ramp{colourType}.png", width, height, colourType, Ramp);

        var pixels = Decode(path, size, Interpolation.Bilinear);

        for (int y = 1; y < size - 1; y++)
            for (int x = 1; x < size - 1; x++)
            {
                double centreX = (x + 0.5) * width / size, centreY = (y + 0.5) * height / size;
                double red = centreX * 255 / (width - 1), green = colourType == 0 ? red : centreY * 255 / (height - 1);
                Assert.InRange(pixels[(y * size + x) * 3], red - 2, red + 2);
                Assert.InRange(pixels[(y * size + x) * 3 + 1], green - 2, green + 2);
            }
    }

    [Fact]
    public void AHugePlainPng_IsDecodedWithoutHoldingItsPixels()
    {
        // 9400 x 9400 RGB: 265 MB of pixels, about 0.7 GB peak when decoded whole.
        const int side = 9400;
        var path = WritePng("bomb.png", side, side, 2, (x, y, c) => 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Decode(path, 28, Interpolation.Nearest);
        long nearest = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Decode(path, 224, Interpolation.Bilinear);
        long bilinear = GC.GetAllocatedBytesForCurrentThread() - before;

        // The file (0.3 MB), two rows, the box sums and the intermediate (at most 8 x 224 px a side): well under 32 MB.
        Assert.InRange(nearest, 0, 32L << 20);
        Assert.InRange(bilinear, 0, 32L << 20);
    }

    [Fact]
    public void ADamagedLargePng_IsStillNamedAsDamaged()
    {
        var path = WritePng("bad.png", 4100, 4000, 2, Pattern);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var decoder = new ImageDecoder(new Preprocessing(28, Interpolation.Nearest, 1f / 255));
        Assert.False(decoder.TryDecode(path, new byte[28 * 28 * 3], out var error));
        Assert.Contains("corrupt", error);
    }
}
