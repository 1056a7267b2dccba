using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Support;

/// <summary>Generates each kind of bad image file (and a few odd but valid ones) for robustness tests.</summary>
public static class BadFiles
{
    /// <summary>A valid 32x32 noisy RGB PNG (noise keeps files distinct, so only deliberate copies are duplicates).</summary>
    public static string GoodPng(string path, int seed)
    {
        var random = new Random(seed);
        return TestImages.Write(path, 32, 32, (_, _) => new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
    }

    public static string Empty(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }

    /// <summary>A JPEG cut off halfway.</summary>
    public static string TruncatedJpeg(string path)
    {
        var random = new Random(5);
        TestImages.Write(path, 64, 64, (_, _) => new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    /// <summary>A complete PNG with one flipped bit in its image data, so the IDAT chunk's CRC no longer matches.</summary>
    public static string BadCrcPng(string path)
    {
        GoodPng(path, 99);
        var bytes = File.ReadAllBytes(path);
        int idat = IndexOf(bytes, "IDAT"u8);
        bytes[idat + 4 + 10] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Text under an image extension.</summary>
    public static string TextAsImage(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "This is a note, not a picture.\n");
        return path;
    }

    /// <summary>A valid PPM (a format classify does not read) under an image extension.</summary>
    public static string UnsupportedFormat(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. "P6\n2 2\n255\n"u8, .. Enumerable.Repeat((byte)128, 12)]);
        return path;
    }

    /// <summary>
    /// A small, well-formed PNG whose header claims <paramref name="width"/> x <paramref name="height"/> RGB pixels
    /// (valid CRCs throughout) with a few bytes of image data: a decompression bomb's header.
    /// </summary>
    public static string HugeHeaderPng(string path, int width = 60000, int height = 60000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: RGB
        WriteChunk(file, "IHDR", ihdr);
        using (var data = new MemoryStream())
        {
            using (var zlib = new ZLibStream(data, CompressionLevel.SmallestSize, leaveOpen: true))
                zlib.Write(new byte[4096]); // the first rows' worth of zeros; a real bomb would repeat them
            WriteChunk(file, "IDAT", data.ToArray());
        }
        WriteChunk(file, "IEND", []);
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    /// <summary>A PNG under a .jpg name: readable (by content), but not what the name says.</summary>
    public static string PngNamedJpeg(string path, int seed)
    {
        var png = GoodPng(path + ".png", seed);
        File.Move(png, path);
        return path;
    }

    public static string Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
        return to;
    }

    private static void WriteChunk(Stream file, string type, byte[] data)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        file.Write(header);
        var typeAndData = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        file.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        file.Write(crc);
    }

    /// <summary>The CRC-32 PNG uses (ISO 3309, polynomial 0xEDB88320), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> marker) => bytes.AsSpan().IndexOf(marker);
}
