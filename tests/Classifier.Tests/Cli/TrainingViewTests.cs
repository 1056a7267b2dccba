using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

public sealed class TrainingViewTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Train_InText_PrintsEachDataWarningOnceOnStderr_AndTheClosingLinesAtTheEnd()
    {
        var (data, bad) = TestImages.ImbalancedStripesWithABadFile(_dir.Combine("data"));   // class_a has four times class_b's images, and a text file

        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--batch-size", "4", "--threads", "1",
            "--validation-split", "0.25", "-o", _dir.Combine("run"));

        Assert.True(train.ExitCode == 0, train.ToString());
        var warnings = train.Error.Split('\n').Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings, l => l.StartsWith("warning: classes are imbalanced (", StringComparison.Ordinal));
        Assert.Single(warnings, l => l.StartsWith($"warning: skipped '{bad}': ", StringComparison.Ordinal));
        Assert.Contains("Best epoch 1:", train.Out);
        Assert.Contains("Skipped: 1 unreadable file(s)", train.Out);
    }

    [Fact]
    public async Task Train_WithFreezeEpochs_SaysWhatTrainsInEachPhase_AndWhichSettingIsTheDefault()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 8, size: 32);

        var byDefault = await CliRun.Of("train", data, "--model", "resnet18", "--image-size", "32", "--epochs", "2", "--freeze-epochs", "1",
            "--batch-size", "4", "--threads", "1", "--validation-split", "0.25", "-o", _dir.Combine("default"));
        var given = await CliRun.Of("train", data, "--model", "resnet18", "--image-size", "32", "--epochs", "2", "--freeze-epochs", "1",
            "--freeze", "none", "--batch-size", "4", "--threads", "1", "--validation-split", "0.25", "-o", _dir.Combine("given"));

        Assert.True(byDefault.ExitCode == 0, byDefault.ToString());
        Assert.True(given.ExitCode == 0, given.ToString());
        string ModelLine(CliRun run) => run.Out.Split('\n').Single(l => l.StartsWith("Model resnet18 ", StringComparison.Ordinal));
        Assert.Contains("the head alone for 1 epoch(s), then everything with --freeze batch_norm (the default after --freeze-epochs)", ModelLine(byDefault));
        Assert.Contains("the head alone for 1 epoch(s), then everything,", ModelLine(given));
        Assert.DoesNotContain("--freeze", ModelLine(given));
    }
}
