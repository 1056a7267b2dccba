using Classifier.Core.Data;
using Classifier.Core.Data.Augmentation;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace Classifier.Tests.Data;

/// <summary>
/// <c>--resize crop</c> in training: a random window of the evaluation's scale per image and epoch, cut from the larger
/// square the decoder (and the cache) keep; the centre, as validation sees it, in frozen epochs whose features are cached.
/// </summary>
public sealed class RandomCropTests : IDisposable
{
    private const int Size = 32;
    private readonly TempDir _dir = new();
    private readonly List<LabeledImage> _images = [];

    public RandomCropTests()
    {
        // Photos that are not square, each pixel telling its position (and each image its number), so any two windows differ.
        for (int i = 0; i < 6; i++)
        {
            int n = i;
            var path = TestImages.Write(_dir.Combine($"photo{i}.png"), 60 + 4 * i, 45, (x, y) => new Rgb24((byte)(x * 4), (byte)(y * 5), (byte)(n * 40)));
            _images.Add(new LabeledImage(path, i % 2));
        }
    }

    public void Dispose() => _dir.Dispose();

    private static Preprocessing Crop => new(Size, Interpolation.Bilinear, 1f / 255) { Resize = ResizeMode.Crop };

    private static ImageDecoder TrainingDecoder => new(Crop) { KeepsCropMargin = true };

    private byte[] Read(BatchLoader loader, CropWindow window)
    {
        var order = Enumerable.Range(0, _images.Count).ToArray();
        using var batch = Assert.Single(loader.Read(order, _images.Count, window: window));
        return batch.Pixels.ToArray();
    }

    [Fact]
    public void TrainingDecoder_KeepsTheScaledShorterSide_ASquareOf_SizeOver0875()
    {
        Assert.Equal(36, TrainingDecoder.DecodedSize);   // int(32 / 0.875)
        Assert.Equal(Size, new ImageDecoder(Crop).DecodedSize);
        Assert.Equal(Size, new ImageDecoder(Crop with { Resize = ResizeMode.Squash }) { KeepsCropMargin = true }.DecodedSize);
    }

    [Fact]
    public void TwoTrainingEpochs_SeeDifferentWindowsOfTheSameScale_TheCentreIsValidations_AndASeedRepeatsItsWindows()
    {
        var decoder = TrainingDecoder;
        var loader = new BatchLoader(_images, decoder, new PixelCache(_images.Count, new CacheBudget(1L << 30)), new SkippedImages());
        var validation = new BatchLoader(_images, new ImageDecoder(Crop), cache: null, new SkippedImages());
        var epoch1 = CropWindow.Random(Trainer.EpochSeed(42, 1));
        var epoch2 = CropWindow.Random(Trainer.EpochSeed(42, 2));

        var first = Read(loader, epoch1);      // decoded from the files, the larger squares cached
        var second = Read(loader, epoch2);     // from the cache
        var again = Read(loader, CropWindow.Random(Trainer.EpochSeed(42, 1)));
        var centre = Read(loader, CropWindow.Centre);

        Assert.Equal(first, again);
        Assert.Equal(Read(validation, CropWindow.Centre), centre);
        int bytes = Size * Size * 3;
        int moved = Enumerable.Range(0, _images.Count).Count(i => epoch1.For(i, 36, Size) != epoch2.For(i, 36, Size));
        Assert.True(moved >= 4, $"only {moved} of 6 images got another window in epoch 2");
        for (int i = 0; i < _images.Count; i++)
        {
            // Each window is a size x size piece of the decoded square, not a resized one: the same scale as evaluation.
            var square = new byte[decoder.DecodedBytes];
            Assert.True(decoder.TryDecode(_images[i].Path, square, out var error), error);
            var expected = new byte[bytes];
            epoch2.Cut(i, square, 36, expected, Size);
            Assert.Equal(expected, second.AsSpan(i * bytes, bytes).ToArray());
            if (epoch1.For(i, 36, Size) != epoch2.For(i, 36, Size))
                Assert.NotEqual(first.AsSpan(i * bytes, bytes).ToArray(), second.AsSpan(i * bytes, bytes).ToArray());
        }
    }

    [Fact]
    public void Windows_CoverEveryPositionOfTheMargin_AndStayInside()
    {
        var window = CropWindow.Random(7);
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < 2000; i++)
        {
            var (top, left) = window.For(i, 36, Size);
            Assert.InRange(top, 0, 4);
            Assert.InRange(left, 0, 4);
            seen.Add((top, left));
        }
        Assert.Equal(25, seen.Count);
        Assert.Equal((2, 2), CropWindow.Centre.For(0, 36, Size));
    }

    [Fact]
    public void FrozenEpochsWithoutAugmentation_KeepTheCentre_EveryOtherEpochDrawsAtRandom()
    {
        var options = new TrainOptions { DataDir = "data", Model = "resnet18", FreezeEpochs = 1, Epochs = 3 };

        Assert.True(FineTuning.TrainingCrop(options, 1, 11).IsCentre, "the frozen epoch's features are cached, so its crop stays the centre");
        Assert.False(FineTuning.TrainingCrop(options, 2, 12).IsCentre);
        Assert.True(FineTuning.TrainingCrop(options with { FreezeEpochs = 0, Freeze = FreezeMode.Backbone }, 3, 13).IsCentre);
        Assert.False(FineTuning.TrainingCrop(options with { Augment = new AugmentOptions { HorizontalFlip = true } }, 1, 11).IsCentre,
            "with augmentation nothing is cached, so a frozen epoch draws its crops too");
        Assert.False(FineTuning.TrainingCrop(options with { FreezeEpochs = 0 }, 1, 11).IsCentre);
    }

    [Fact]
    public void CropTraining_GivesTheSameHistoryForTheSameSeed()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 8, size: 40);
        TrainOptions Options(string output, ResizeMode resize) => new()
        {
            DataDir = data, OutputDir = _dir.Combine(output), ImageSize = 24, Resize = resize, Interpolation = Interpolation.Bilinear,
            Epochs = 2, BatchSize = 8, Threads = 1, Seed = 3, ValidationSplit = 0.25,
        };

        var a = new Trainer(Options("a", ResizeMode.Crop), new RecordingObserver()).Run().History;
        var b = new Trainer(Options("b", ResizeMode.Crop), new RecordingObserver()).Run().History;

        Assert.Equal(a.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy)), b.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy)));
    }
}
