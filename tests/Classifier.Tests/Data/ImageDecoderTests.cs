using Classifier.Core.Data;
using Classifier.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Data;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Decode(string path, int size = 4, Interpolation interpolation = Interpolation.Nearest, long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        var decoder = new ImageDecoder(new Preprocessing(size, interpolation, 1f / 255), maxPixels);
        var pixels = new byte[size * size * 3];
        Assert.True(decoder.TryDecode(path, pixels, out var error), error);
        return pixels;
    }

    private static string? Refusal(string path, long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        var decoder = new ImageDecoder(new Preprocessing(4, Interpolation.Nearest, 1f / 255), maxPixels);
        Assert.False(decoder.TryDecode(path, new byte[4 * 4 * 3], out var error));
        return error;
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".bmp")]
    [InlineData(".gif")]
    [InlineData(".tiff")]
    [InlineData(".webp")]
    public void TryDecode_ReadsEachLosslessFormat_Exactly(string extension)
    {
        var path = TestImages.Solid(_dir.Combine("x" + extension), 4, 200, 100, 50);

        var pixels = Decode(path);

        for (int i = 0; i < pixels.Length; i += 3)
            Assert.Equal(new byte[] { 200, 100, 50 }, pixels[i..(i + 3)]);
    }

    [Fact]
    public void TryDecode_ReadsJpeg_Closely()
    {
        var path = TestImages.Solid(_dir.Combine("x.jpg"), 16, 200, 100, 50);

        var pixels = Decode(path);

        Assert.InRange(pixels[0], 195, 205);
        Assert.InRange(pixels[1], 95, 105);
        Assert.InRange(pixels[2], 45, 55);
    }

    [Fact]
    public void TryDecode_CopiesGrayscaleIntoAllThreeChannels()
    {
        var path = TestImages.Write(_dir.Combine("g.png"), 4, 4, (x, _) => new L8((byte)(x * 60)));

        var pixels = Decode(path);

        Assert.Equal(new byte[] { 0, 0, 0, 60, 60, 60, 120, 120, 120, 180, 180, 180 }, pixels[..12]);
    }

    [Fact]
    public void TryDecode_ReadsPaletteImages()
    {
        var path = _dir.Combine("p.png");
        using (var image = new Image<Rgb24>(4, 4, new Rgb24(0, 128, 255)))
            image.Save(path, new PngEncoder { ColorType = PngColorType.Palette });

        Assert.Equal(new byte[] { 0, 128, 255 }, Decode(path)[..3]);
    }

    [Fact]
    public void TryDecode_DropsAlpha_KeepingTheColourAsPilConvertRgbDoes()
    {
        var path = TestImages.Write(_dir.Combine("a.png"), 4, 4, (_, _) => new Rgba32(200, 100, 50, 0));

        Assert.Equal(new byte[] { 200, 100, 50 }, Decode(path)[..3]);
    }

    [Fact]
    public void TryDecode_ScalesSixteenBitImagesToEightBits()
    {
        var path = _dir.Combine("deep.png");
        using (var image = new Image<Rgb48>(4, 4, new Rgb48(65535, 32896, 0)))
            image.Save(path, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });

        Assert.Equal(new byte[] { 255, 128, 0 }, Decode(path)[..3]);
    }

    [Fact]
    public void TryDecode_ResizesToTheImageSize_Nearest()
    {
        // 8x8 with four solid quadrants: any nearest-neighbour choice gives the same 2x2 result.
        var path = TestImages.Write(_dir.Combine("q.png"), 8, 8, (x, y) =>
            (x < 4, y < 4) switch
            {
                (true, true) => new Rgb24(255, 0, 0),
                (false, true) => new Rgb24(0, 255, 0),
                (true, false) => new Rgb24(0, 0, 255),
                _ => new Rgb24(255, 255, 255),
            });

        var pixels = Decode(path, size: 2);

        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255 }, pixels);
    }

    [Fact]
    public void TryDecode_Nearest_SamplesPixelCentresLikePil()
    {
        // 3 -> 2 columns: PIL (and so Keras) takes source columns floor(0.5 * 1.5) = 0 and floor(1.5 * 1.5) = 2.
        var path = TestImages.Write(_dir.Combine("cols.png"), 3, 3, (x, _) => new Rgb24((byte)(x * 100), 0, 0));

        var pixels = Decode(path, size: 2);

        Assert.Equal(new byte[] { 0, 200, 0, 200 }, new[] { pixels[0], pixels[3], pixels[6], pixels[9] });
    }

    [Fact]
    public void TryDecode_Bilinear_BlendsNeighbours()
    {
        var path = TestImages.Write(_dir.Combine("stripes.png"), 8, 8, (x, _) => x % 2 == 0 ? new Rgb24(0, 0, 0) : new Rgb24(255, 255, 255));

        var nearest = Decode(path, size: 4);
        var bilinear = Decode(path, size: 4, interpolation: Interpolation.Bilinear);

        Assert.All(nearest, v => Assert.True(v is 0 or 255));
        Assert.All(bilinear, v => Assert.InRange(v, 60, 195));
    }

    [Fact]
    public void TryDecode_AppliesExifOrientation()
    {
        // Stored 8 wide x 4 high: left half red, right half blue. Orientation 6 means "rotate 90 degrees clockwise
        // to display", so the upright image has red on top and blue at the bottom.
        var path = _dir.Combine("phone.jpg");
        using (var image = new Image<Rgb24>(16, 8))
        {
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 16; x++)
                    image[x, y] = x < 8 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            image.Save(path, new JpegEncoder { Quality = 100 });
        }

        var pixels = Decode(path, size: 2);

        Assert.True(pixels[0] > 200 && pixels[2] < 60, "top-left should be red");
        Assert.True(pixels[6] < 60 && pixels[8] > 200, "bottom-left should be blue");
    }

    [Fact]
    public void TryDecode_RefusesAnEmptyFile()
    {
        var path = _dir.Combine("empty.png");
        File.WriteAllBytes(path, []);
        Assert.Contains("empty file", Refusal(path));
    }

    [Fact]
    public void TryDecode_RefusesAFileThatIsNotAnImage()
    {
        var path = _dir.Combine("text.jpg");
        File.WriteAllText(path, "this is not a picture");
        Assert.Contains("not an image", Refusal(path));
    }

    [Fact]
    public void TryDecode_RefusesATruncatedImage()
    {
        var path = TestImages.Write(_dir.Combine("t.png"), 64, 64, (x, y) => new Rgb24((byte)x, (byte)y, (byte)(x ^ y)));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.NotNull(Refusal(path));
    }

    [Fact]
    public void TryDecode_RefusesImagesOverThePixelLimit_BeforeDecoding()
    {
        var path = TestImages.Solid(_dir.Combine("big.png"), 100, 1, 2, 3);
        var reason = Refusal(path, maxPixels: 5_000);
        Assert.Contains("100x100", reason);
        Assert.Contains("--max-pixels", reason);
    }
}
