using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Data;

/// <summary><c>--resize squash|crop|pad</c>: how a non-square photo becomes the square input, and where that is recorded.</summary>
public sealed class ResizeModeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Decode(string path, ResizeMode mode, int size = 16, Interpolation filter = Interpolation.Bilinear)
    {
        var decoder = new ImageDecoder(new Preprocessing(size, filter, 1f / 255) { Resize = mode });
        var pixels = new byte[decoder.Preprocessing.PixelBytes];
        Assert.True(decoder.TryDecode(path, pixels, out var error), error);
        return pixels;
    }

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Nearest)]
    public void Crop_KeepsTheCentreOfAWideImage_AndDropsItsSides(Interpolation filter)
    {
        // 40 x 20: red 8 px, green 24 px, blue 8 px. Scaled to 36 x 18 (shorter side 16 / 0.875), the centre 16 x 16 is green.
        var path = TestImages.Write(_dir.Combine("wide.png"), 40, 20, (x, _) => x < 8 ? new Rgb24(255, 0, 0) : x < 32 ? new Rgb24(0, 255, 0) : new Rgb24(0, 0, 255));

        var pixels = Decode(path, ResizeMode.Crop, filter: filter);

        for (int i = 0; i < pixels.Length; i += 3)
            Assert.True(pixels[i] < 20 && pixels[i + 1] > 235 && pixels[i + 2] < 20, $"pixel {i / 3}: {pixels[i]},{pixels[i + 1]},{pixels[i + 2]}");
        var squashed = Decode(path, ResizeMode.Squash, filter: filter);
        Assert.True(squashed[0] > 200, "squash keeps the red left edge");
    }

    [Fact]
    public void Pad_LetterboxesAWideImage_OnBlack()
    {
        var path = TestImages.Write(_dir.Combine("white.png"), 40, 20, (_, _) => new Rgb24(255, 255, 255));

        var pixels = Decode(path, ResizeMode.Pad);

        // 40 x 20 fits as 16 x 8, rows 4-11.
        for (int y = 0; y < 16; y++)
        {
            byte expected = y is >= 4 and < 12 ? (byte)255 : (byte)0;
            for (int x = 0; x < 16; x++) Assert.Equal(expected, pixels[(y * 16 + x) * 3]);
        }
    }

    [Fact]
    public void Squash_IsWhatFilesWithoutTheFieldMean_AndIsNotWrittenToThem()
    {
        var squash = Preprocessing.Default;
        var json = JsonSerializer.Serialize(squash);

        Assert.DoesNotContain("Resize", json);
        Assert.Equal(ResizeMode.Squash, JsonSerializer.Deserialize<Preprocessing>(json)!.Resize);
        var crop = squash with { Resize = ResizeMode.Crop };
        Assert.Equal(ResizeMode.Crop, JsonSerializer.Deserialize<Preprocessing>(JsonSerializer.Serialize(crop))!.Resize);
        Assert.NotEqual(squash, crop);
    }

    [Fact]
    public void Default_IsCropForTorchVisionPretrainedWeights_AndSquashOtherwise()
    {
        Assert.Equal(ResizeMode.Squash, new TrainOptions().Preprocessing.Resize);
        Assert.Equal(ResizeMode.Squash, new TrainOptions { Model = "resnet18" }.Preprocessing.Resize);
        Assert.Equal(ResizeMode.Crop, new TrainOptions { Model = "resnet18", Weights = "imagenet" }.Preprocessing.Resize);
        Assert.Equal(ResizeMode.Crop, new TrainOptions { Model = "mobilenet_v2", Weights = "start.pth" }.Preprocessing.Resize);
        Assert.Equal(ResizeMode.Squash, new TrainOptions { Model = "resnet18-cntk", Weights = "imagenet" }.Preprocessing.Resize);
        Assert.Equal(ResizeMode.Pad, new TrainOptions { Model = "resnet18", Weights = "imagenet", Resize = ResizeMode.Pad }.Preprocessing.Resize);
    }

    [Fact]
    public void TrainedModel_RecordsItsResizeMode_ForEvalPredictAndEveryExport()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 5, size: 24);

        var result = new Trainer(new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("run"), ImageSize = 24, Epochs = 1, BatchSize = 4, Threads = 1, Resize = ResizeMode.Pad,
        }, new RecordingObserver()).Run();

        using var model = ModelFile.Load(result.Run.BestModel);
        Assert.Equal(ResizeMode.Pad, model.Info.Preprocessing.Resize);
        Assert.Equal(ResizeMode.Pad, TrainOptionsFile.Read(result.Run.Options).Resize);
        var metadata = ExportMetadata.For(model.Info, model.Network).Single(p => p.Key == "preprocessing").Value;
        Assert.Contains("\"resize\":\"pad\"", metadata);
    }
}
