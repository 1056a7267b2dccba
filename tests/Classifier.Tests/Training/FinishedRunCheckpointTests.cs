using Classifier.Cli;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

/// <summary>
/// A finished run's last.cls: the final weights and the run's position, without Adam's moments (a third of the size)
/// unless <c>--keep-optimizer</c>. What stays usable, how extending such a run behaves, and what keeping them buys.
/// </summary>
public sealed class FinishedRunCheckpointTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AFinishedRun_KeepsNoOptimizerStateByDefault_StaysUsable_AndExtendsWithTheMomentsRestarted()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        string[] common = ["train", data, "--image-size", "24", "--epochs", "2", "-b", "4", "--threads", "1"];
        var slim = _dir.Combine("slim");
        var full = _dir.Combine("full");
        var slimRun = await CliRun.Of([.. common, "-o", slim]);
        var fullRun = await CliRun.Of([.. common, "--keep-optimizer", "-o", full]);
        Assert.True(slimRun.ExitCode == 0, slimRun.ToString());
        Assert.True(fullRun.ExitCode == 0, fullRun.ToString());

        // Adam's two moments are twice the weights: without them last.cls is about a third of the full one, and the
        // size of best.cls (the same network) plus the small trainer state.
        long slimLast = new FileInfo(Path.Combine(slim, RunFolder.LastModelName)).Length;
        long fullLast = new FileInfo(Path.Combine(full, RunFolder.LastModelName)).Length;
        long slimBest = new FileInfo(Path.Combine(slim, RunFolder.BestModelName)).Length;
        Assert.True(slimLast * 2 < fullLast, $"default last.cls {slimLast} bytes, --keep-optimizer {fullLast}");
        Assert.InRange(slimLast, slimBest, slimBest + 64 * 1024);
        // The closing line says what last.cls holds and names the option that sets its size.
        Assert.Contains("final weights; --keep-optimizer adds Adam's state", Disk(slimRun));
        Assert.Contains("weights and Adam's state; drop --keep-optimizer to shrink it", Disk(fullRun));
        Assert.Equal(Numbers(full), Numbers(slim));

        // The same weights as the full run's last.cls: eval, predict and export work on the slim file as on any model.
        var image = Directory.EnumerateFiles(data, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var fullPredict = await CliRun.Of("predict", "-m", Path.Combine(full, RunFolder.LastModelName), image, "--format", "csv");
        Assert.True(fullPredict.ExitCode == 0, fullPredict.ToString());
        var path = Path.Combine(slim, RunFolder.LastModelName);
        var eval = await CliRun.Of("eval", "-m", path, data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var predict = await CliRun.Of("predict", "-m", path, image, "--format", "csv");
        Assert.Equal(fullPredict.Out, predict.Out);
        var export = await CliRun.Of("export", "-m", path, "-o", _dir.Combine("last.safetensors"));
        Assert.True(export.ExitCode == 0, export.ToString());

        // Resuming a finished run without more epochs still says how to extend it.
        var again = await CliRun.Of("train", "--resume", slim);
        Assert.Equal(ExitCodes.InputError, again.ExitCode);
        Assert.Contains("pass --epochs N with N above 2", again.Error);

        // Extending: the slim run continues with Adam restarted, and says so; the full one continues its moments.
        var slimMore = await CliRun.Of("train", "--resume", slim, "--epochs", "3");
        var fullMore = await CliRun.Of("train", "--resume", full, "--epochs", "3");
        Assert.True(slimMore.ExitCode == 0, slimMore.ToString());
        Assert.True(fullMore.ExitCode == 0, fullMore.ToString());
        Assert.Contains("kept no optimizer state when the run ended (train with --keep-optimizer to keep it)", slimMore.Out);
        Assert.Contains("Adam's moments start again from zero", slimMore.Out);
        Assert.DoesNotContain("kept no optimizer state", fullMore.Out);
        var slimHistory = Numbers(slim);
        var fullHistory = Numbers(full);
        Assert.Equal(3, slimHistory.Count);
        Assert.Equal(fullHistory[..2], slimHistory[..2]);
        Assert.NotEqual(fullHistory[2], slimHistory[2]);
        // Each run ends as it was started: slim again, or full again.
        Assert.InRange(new FileInfo(Path.Combine(slim, RunFolder.LastModelName)).Length, slimLast - 1024, slimLast + 1024);
        Assert.InRange(new FileInfo(Path.Combine(full, RunFolder.LastModelName)).Length, fullLast - 1024, fullLast + 1024);
    }

    [Fact]
    public void AFinishedRunWithAWeightAverage_ExtendsFromTheAverage_WhenItKeptNoOptimizerState()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var options = new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("ema"), ImageSize = 24, Epochs = 1, BatchSize = 4, Threads = 1, EmaDecay = 0.9,
        };
        var first = new Trainer(options, new RecordingObserver()).Run();
        using (var last = ModelFile.Load(first.Run.LastModel))
            Assert.True(Checkpoint.KeptNoOptimizer(last));

        var observer = new RecordingObserver();
        var extended = Trainer.Resume(options.OutputDir!, 2, observer);

        Assert.Equal(2, extended.History.Count);
        Assert.Contains("Adam's moments start again from zero", observer.Started!.WeightsNote);
        Assert.True(double.IsFinite(extended.History[1].ValLoss));
    }

    [Theory]
    [InlineData("true", false)]
    [InlineData("false", true)]
    public void AnOptionsFileOfAnEarlierVersion_WithSlimLast_ReadsAsTheOppositeOfKeepOptimizer(string slimLast, bool keep)
    {
        var options = TrainOptionsFile.Parse($$"""{"data": "x", "slim-last": {{slimLast}}}""", "options.json");

        Assert.Equal(keep, options.KeepOptimizer);
        Assert.Contains("\"keep-optimizer\": " + (keep ? "true" : "false"), TrainOptionsFile.ToText(options));
    }

    private static string Disk(CliRun run) => Assert.Single(run.Out.Split('\n'), l => l.StartsWith("Disk:", StringComparison.Ordinal));

    private static List<(double, double, double, double)> Numbers(string run) =>
        HistoryCsv.Read(Path.Combine(run, RunFolder.HistoryName)).Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy)).ToList();
}
