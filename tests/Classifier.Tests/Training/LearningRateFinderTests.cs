using Classifier.Core;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

/// <summary><c>classify lr-find</c>: the learning-rate range test, its suggestion, its figure, and that it leaves nothing behind.</summary>
public sealed class LearningRateFinderTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;

    public LearningRateFinderTests() => _data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 10, size: 28);

    public void Dispose() => _dir.Dispose();

    private TrainOptions Options(string output) => new()
    {
        DataDir = _data, OutputDir = _dir.Combine(output), ImageSize = 28, Epochs = 1, BatchSize = 6, Threads = 1, Seed = 4,
    };

    [Fact]
    public void Sweep_RaisesTheRateExponentially_AndSuggestsARateInsideTheSweptRange()
    {
        var sweep = new LrFindOptions { Steps = 12, StartRate = 1e-5, EndRate = 1e-1 };

        var result = LearningRateFinder.Run(Options("unused"), sweep);

        Assert.Equal(12, result.Rates.Count);
        Assert.Equal(1e-5, result.Rates[0], 12);
        Assert.Equal(1e-1, result.Rates[^1], 9);
        for (int i = 1; i < result.Rates.Count; i++)
            Assert.Equal(result.Rates[1] / result.Rates[0], result.Rates[i] / result.Rates[i - 1], 6);
        Assert.InRange(result.SuggestedRate, result.Rates[0], result.Rates[^1]);
        Assert.All(result.SmoothedLosses, l => Assert.True(double.IsFinite(l)));
        Assert.False(Directory.Exists(_dir.Combine("unused")), "lr-find creates no run folder");
    }

    [Fact]
    public void Sweep_ToAnAbsurdRate_StopsWhenTheLossDiverges()
    {
        var sweep = new LrFindOptions { Steps = 60, StartRate = 1e-4, EndRate = 1e8 };

        var result = LearningRateFinder.Run(Options("unused"), sweep);

        Assert.True(result.Diverged);
        Assert.InRange(result.Rates.Count, 2, 59);
        Assert.InRange(result.SuggestedRate, 1e-4, result.Rates[^1]);
    }

    [Fact]
    public void TrainingAfterASweep_InTheSameProcess_EqualsTrainingWithoutIt()
    {
        var before = new Trainer(Options("before"), new RecordingObserver()).Run();

        LearningRateFinder.Run(Options("unused"), new LrFindOptions { Steps = 8, EndRate = 1 });
        var after = new Trainer(Options("after"), new RecordingObserver()).Run();

        Assert.Equal(before.History.Select(r => (r.Loss, r.ValLoss, r.Accuracy)), after.History.Select(r => (r.Loss, r.ValLoss, r.Accuracy)));
        // The same rows; their byte lengths may differ by the digits of the wall-clock seconds column.
        Assert.Equal(File.ReadAllLines(_dir.Combine("before", RunFolder.HistoryName)).Length, File.ReadAllLines(_dir.Combine("after", RunFolder.HistoryName)).Length);
    }

    [Fact]
    public void Suggestion_IsATenthOfTheRateAtTheLowestSmoothedLoss()
    {
        // Flat, then falling from step 30 to step 70, then rising: the lowest point is step 70.
        var rates = Enumerable.Range(0, 100).Select(i => Math.Pow(10, -7 + 8.0 * i / 99)).ToList();
        var losses = Enumerable.Range(0, 100).Select(i => i < 30 ? 2.3 + 1e-4 * (i % 3) : i <= 70 ? 2.3 - 0.04 * (i - 30) : 0.7 + 0.2 * (i - 70)).ToList();

        double suggested = LearningRateFinder.Suggest(rates, losses);

        Assert.Equal(rates[70] / 10, suggested, 12);
    }

    [Fact]
    public void Suggestion_StaysInsideTheSweptRange_WhenTheLowestPointComesFirst()
    {
        var rates = Enumerable.Range(0, 50).Select(i => Math.Pow(10, -3 + 4.0 * i / 49)).ToList();
        var losses = Enumerable.Range(0, 50).Select(i => 1.0 + i).ToList();

        Assert.Equal(rates[0], LearningRateFinder.Suggest(rates, losses));
    }

    [Theory]
    [InlineData(0, 10, 100, "--start-lr")]
    [InlineData(1e-3, 1e-4, 100, "--end-lr")]
    [InlineData(1e-7, 10, 2, "--steps")]
    public void BadSweepOptions_AreRefusedNamingTheOption(double start, double end, int steps, string flag)
    {
        var e = Assert.Throws<ClassifierException>(new LrFindOptions { StartRate = start, EndRate = end, Steps = steps }.Validate);

        Assert.StartsWith(flag, e.Message);
    }

    [Fact]
    public async Task Cli_PrintsTheSuggestedRate_AndWritesTheFigureOnlyWhereAsked()
    {
        var output = _dir.Combine("sweep");

        var run = await CliRun.Of("lr-find", _data, "--image-size", "28", "--batch-size", "6", "--threads", "1", "--steps", "10", "--end-lr", "0.01", "-o", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Suggested: --learning-rate [0-9.eE+-]+", run.Out);
        Assert.True(new FileInfo(Path.Combine(output, "lr-find.png")).Length > 1000);
        Assert.Equal(11, File.ReadAllLines(Path.Combine(output, "lr-find.csv")).Length);
        Assert.Equal(["lr-find.csv", "lr-find.png"], Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order().ToList());
    }
}
