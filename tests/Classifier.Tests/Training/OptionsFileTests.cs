using Classifier.Cli;
using Classifier.Core;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class OptionsFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OptionsFile_RoundTripsEveryOption()
    {
        var options = new TrainOptions
        {
            DataDir = "/d", ValidationSplit = 0.3, ImageSize = 64, Epochs = 7, Monitor = MonitorMetric.ValAccuracy, Patience = 3,
            LrSchedule = LearningRateSchedule.Plateau, ClassWeight = ClassWeighting.Balanced, LabelSmoothing = 0.1,
            Augment = new() { HorizontalFlip = true, Brightness = [0.8, 1.2] },
        };
        var path = _dir.Combine("o.json");

        TrainOptionsFile.Write(path, options);
        var text = File.ReadAllText(path);
        var back = TrainOptionsFile.Read(path);

        Assert.Contains("\"lr-schedule\": \"plateau\"", text);
        Assert.Contains("\"monitor\": \"val_accuracy\"", text);
        Assert.Equal(options with { Augment = null! }, back with { Augment = null! });
        Assert.Equal(options.Augment.Brightness, back.Augment.Brightness);
        Assert.True(back.Augment.HorizontalFlip);
    }

    [Fact]
    public void ConfigFile_WithATypo_ListsTheUnknownKey()
    {
        var path = _dir.Combine("bad.json");
        File.WriteAllText(path, "{ \"epochs\": 3, \"bach-size\": 8 }");
        var e = Assert.Throws<ClassifierException>(() => TrainOptionsFile.Read(path));
        Assert.Contains("bach-size", e.Message);
        Assert.Contains("batch-size", e.Message);
    }

    [Fact]
    public async Task ConfigFile_GivesTheOptions_AndCommandLineFlagsWin()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var config = _dir.Combine("config.json");
        File.WriteAllText(config, $$"""{ "data": "{{data}}", "image-size": 24, "epochs": 3, "batch-size": 4, "seed": 9 }""");
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", "--config", config, "--epochs", "1", "-o", run);

        Assert.True(result.ExitCode == 0, result.ToString());
        var effective = TrainOptionsFile.Read(Path.Combine(run, RunFolder.OptionsName));
        Assert.Equal((1, 4, 9, 24), (effective.Epochs, effective.BatchSize, effective.Seed, effective.ImageSize));
        Assert.Single(HistoryCsv.Read(Path.Combine(run, RunFolder.HistoryName)));
    }

    [Fact]
    public async Task ARunsOptionsFile_RepeatsTheRun()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var first = _dir.Combine("first");
        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "2", "-b", "4", "--threads", "1", "-o", first);
        Assert.True(train.ExitCode == 0, train.ToString());

        var again = await CliRun.Of("train", "--config", Path.Combine(first, RunFolder.OptionsName), "-o", _dir.Combine("again"));

        Assert.True(again.ExitCode == 0, again.ToString());
        var a = HistoryCsv.Read(Path.Combine(first, RunFolder.HistoryName)).Select(r => (r.Loss, r.ValLoss));
        var b = HistoryCsv.Read(Path.Combine(_dir.Combine("again"), RunFolder.HistoryName)).Select(r => (r.Loss, r.ValLoss));
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task Resume_WithOtherOptions_IsRefusedNamingThem()
    {
        var result = await CliRun.Of("train", "--resume", _dir.Path, "--batch-size", "8");
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("--batch-size", result.Error);
    }

    [Fact]
    public async Task PreviewAugment_WritesAGridOfAugmentedImages()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var output = _dir.Combine("preview");

        var result = await CliRun.Of("train", data, "--image-size", "24", "--rotation-range", "20", "--horizontal-flip", "--preview-augment", "9", "-o", output);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var grid = SixLabors.ImageSharp.Image.Load(Path.Combine(output, "augment-preview.png"));
        Assert.True(grid.Width >= 3 * 96 && grid.Height >= 3 * 96);
        Assert.False(File.Exists(Path.Combine(output, RunFolder.HistoryName)));
    }
}
