using System.IO.Compression;
using Classifier.Core.Data;
using Classifier.Tests.Support;

namespace Classifier.Tests.Data;

public sealed class ZlibInflaterTests
{
    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal)) zlib.Write(data);
        return output.ToArray();
    }

    private static byte[] Data(int length, int seed)
    {
        var random = new Random(seed);
        // Runs and noise, so the stream has both back-references and literals.
        return Enumerable.Range(0, length).Select(i => (byte)(i % 97 < 50 ? i / 7 : random.Next(256))).ToArray();
    }

    [LinuxFact("other systems have no libz.so.1 to load, and the managed inflater is used there")]
    public void OnLinux_UsesTheSystemZlib()
    {
        Assert.True(ZlibInflater.UsesSystemZlib);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2_380)]
    [InlineData(300_000)]
    public void TryInflate_RestoresTheData_WithBothImplementations(int length)
    {
        var data = Data(length, length);
        var compressed = Compress(data);

        var native = new byte[length];
        var managed = new byte[length];
        Assert.True(ZlibInflater.TryInflate(compressed, native));
        Assert.True(ZlibInflater.TryInflateManaged(compressed, managed));
        Assert.Equal(data, native);
        Assert.Equal(data, managed);
    }

    [Fact]
    public void TryInflate_ReusesItsStream_AcrossManyInputs()
    {
        for (int n = 0; n < 200; n++)
        {
            var data = Data(100 + n * 13, n);
            var output = new byte[data.Length];
            Assert.True(ZlibInflater.TryInflate(Compress(data), output));
            Assert.Equal(data, output);
        }
    }

    [Fact]
    public void TryInflate_FillsOnlyWhatWasAskedFor()
    {
        var data = Data(5_000, 3);
        var output = new byte[1_000];

        Assert.True(ZlibInflater.TryInflate(Compress(data), output));
        Assert.Equal(data[..1_000], output);
    }

    [Fact]
    public void TryInflate_Fails_WhenTheDataIsShortOrCorrupt()
    {
        var data = Data(5_000, 4);
        var compressed = Compress(data);
        var corrupt = (byte[])compressed.Clone();
        corrupt[0] ^= 0xFF; // the zlib header

        foreach (var input in new[] { compressed[..(compressed.Length / 2)], corrupt, Array.Empty<byte>() })
        {
            Assert.False(ZlibInflater.TryInflate(input, new byte[data.Length]));
            Assert.False(ZlibInflater.TryInflateManaged(input, new byte[data.Length]));
        }
        Assert.False(ZlibInflater.TryInflate(compressed, new byte[data.Length + 1])); // asks for more than there is
        // After failures the thread's stream still works.
        var output = new byte[data.Length];
        Assert.True(ZlibInflater.TryInflate(compressed, output));
        Assert.Equal(data, output);
    }
}
