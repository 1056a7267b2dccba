using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// A validation set that is empty or wholly unreadable (its loss would be NaN) is one clear input error naming the
/// validation images, never an unhandled exception from saving the checkpoint after the first epoch.
/// </summary>
public sealed class ValidationNanTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ASplitThatLeavesNoValidationImage_IsRefusedBeforeTraining()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 1, size: 24);
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run);

        Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
        Assert.Contains("validation split of", result.Error);
        Assert.Contains("holds no image", result.Error);
        Assert.False(File.Exists(Path.Combine(run, RunFolder.LastModelName)));
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task AValidationFolderWhoseImagesAreAllUnreadable_IsOneClearError_NotACrashInTheCheckpoint()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var val = _dir.Combine("val");
        foreach (var name in new[] { "class_a", "class_b" })
            BadFiles.TextAsImage(Path.Combine(val, name, "x.png"));
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", data, "--val", val, "--image-size", "24", "--epochs", "2", "--threads", "1", "-o", run);

        Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
        Assert.Contains("None of the 2 validation images", result.Error);
        Assert.DoesNotContain("ArgumentException", result.ToString());
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("last good checkpoint", result.Error);
    }
}
