using Classifier.Cli;

namespace Classifier.Tests.Support;

/// <summary>A real run folder to aim eval, predict and export at: one epoch of `train` on eight 24 px images.</summary>
public static class TinyRun
{
    /// <summary>Trains into <paramref name="dir"/>/<paramref name="runName"/> on a two-class dataset written to
    /// <paramref name="dir"/>/<paramref name="dataName"/>; returns both folders.</summary>
    public static async Task<(string Data, string Run)> TrainAsync(TempDir dir, string dataName = "data", string runName = "run")
    {
        var data = TestImages.StripesDataset(dir.Combine(dataName), classes: 2, perClass: 4, size: 24);
        var run = dir.Combine(runName);
        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run);
        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        return (data, run);
    }
}
