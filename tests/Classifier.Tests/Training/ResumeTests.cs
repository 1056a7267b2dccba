using System.Diagnostics;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class ResumeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;

    public ResumeTests() => _data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 12, size: 24);

    public void Dispose() => _dir.Dispose();

    private TrainOptions Options(string output, int epochs) => new()
    {
        DataDir = _data,
        OutputDir = _dir.Combine(output),
        ImageSize = 24,
        Epochs = epochs,
        BatchSize = 6,
        Threads = 1,
        Seed = 11,
        LrSchedule = LearningRateSchedule.Cosine,
        Augment = new() { HorizontalFlip = true, RotationDegrees = 10 },
    };

    [Fact]
    public void ResumeAfterTwoOfFourEpochs_EqualsFourStraightEpochs()
    {
        var straight = new Trainer(Options("straight", 4), new RecordingObserver()).Run().History;

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(Options("resumed", 4), new CancelAfterEpoch(cancel, epoch: 2)).Run(cancel.Token));
        Assert.Equal(2, HistoryCsv.Read(_dir.Combine("resumed", RunFolder.HistoryName)).Count);
        var resumed = Trainer.Resume(_dir.Combine("resumed"), null, new RecordingObserver()).History;

        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(resumed));
        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(HistoryCsv.Read(_dir.Combine("resumed", RunFolder.HistoryName))));
    }

    [Fact]
    public void ExtendingAFinishedConstantRateRun_EqualsTrainingLongerFromTheStart()
    {
        var straight = new Trainer(Options("straight", 4) with { LrSchedule = LearningRateSchedule.Constant }, new RecordingObserver()).Run().History;

        // --keep-optimizer: the finished run keeps Adam's moments, so extending it is exact (without it they restart).
        new Trainer(Options("extended", 2) with { LrSchedule = LearningRateSchedule.Constant, KeepOptimizer = true }, new RecordingObserver()).Run();
        var extended = Trainer.Resume(_dir.Combine("extended"), 4, new RecordingObserver()).History;

        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(extended));
        Assert.Equal(4, TrainOptionsFile.Read(_dir.Combine("extended", RunFolder.OptionsName)).Epochs);
    }

    [Fact]
    public void RunCancelledInsideAnEpoch_ResumesToTheSameHistory()
    {
        var straight = new Trainer(Options("straight", 3), new RecordingObserver()).Run().History;

        using var cancel = new CancellationTokenSource();
        var stopper = new CancelAfterBatches(cancel, batches: 7); // inside epoch 2 (5 batches per epoch)
        Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(Options("cut", 3), stopper).Run(cancel.Token));
        Assert.Single(HistoryCsv.Read(_dir.Combine("cut", RunFolder.HistoryName)));

        var resumed = Trainer.Resume(_dir.Combine("cut"), null, new RecordingObserver()).History;

        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(resumed));
    }

    [Fact]
    public void RunWithWeightAverage_CancelledInsideAnEpoch_ResumesToTheSameHistoryAndModel()
    {
        TrainOptions Averaged(string output) => Options(output, 3) with { EmaDecay = 0.9 };
        var straight = new Trainer(Averaged("straight"), new RecordingObserver()).Run().History;

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(Averaged("cut"), new CancelAfterBatches(cancel, batches: 7)).Run(cancel.Token));
        var resumed = Trainer.Resume(_dir.Combine("cut"), null, new RecordingObserver()).History;

        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(resumed));
        using var straightModel = ModelFile.Load(_dir.Combine("straight", RunFolder.BestModelName));
        using var resumedModel = ModelFile.Load(_dir.Combine("cut", RunFolder.BestModelName));
        Assert.Equal(ModelFile.WeightsToBytes(straightModel.Network), ModelFile.WeightsToBytes(resumedModel.Network));
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task RunKilledWithSigkill_CanBeResumed_ToTheSameHistory()
    {
        const int epochs = 12;
        var straight = new Trainer(Options("straight", epochs), new RecordingObserver()).Run().History;
        var run = _dir.Combine("killed");
        var options = Options("killed", epochs);
        var config = _dir.Combine("killed.json");
        TrainOptionsFile.Write(config, options);

        // The real CLI in a child process, killed without warning as soon as its first checkpoint exists.
        var cli = Path.Combine(AppContext.BaseDirectory, "classify.dll");
        using var child = Process.Start(new ProcessStartInfo("dotnet", [cli, "train", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var lastModel = Path.Combine(run, RunFolder.LastModelName);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(lastModel) && !child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(90))
            await Task.Delay(5);
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        int completedBeforeKill = HistoryCsv.Read(Path.Combine(run, RunFolder.HistoryName)).Count;
        Assert.InRange(completedBeforeKill, 1, epochs - 1);

        var resumed = Trainer.Resume(run, null, new RecordingObserver()).History;

        Assert.Equal(HistoryNumbers.Of(straight), HistoryNumbers.Of(resumed));
    }

    [Fact]
    public void ResumingAFinishedRun_WithoutMoreEpochs_SaysHowToExtendIt()
    {
        new Trainer(Options("done", 1), new RecordingObserver()).Run();
        var e = Assert.Throws<Classifier.Core.ClassifierException>(() => Trainer.Resume(_dir.Combine("done"), null, new RecordingObserver()));
        Assert.Contains("--epochs", e.Message);
    }

    [Fact]
    public void EarlyStopping_StopsBeforeTheLastEpoch_AndLeavesTheBestWeights()
    {
        // A rate so small that validation loss barely moves: no change reaches --min-delta after the first epoch.
        var options = Options("early", 8) with { LearningRate = 1e-7, LrSchedule = LearningRateSchedule.Constant, Patience = 2, MinDelta = 0.05 };

        var result = new Trainer(options, new RecordingObserver()).Run();

        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
        var best = result.History.MinBy(r => r.ValLoss)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        using var model = ModelFile.Load(result.Run.BestModel);
        Assert.Equal(best.Epoch, model.Info.Epoch);
    }

    private sealed class CancelAfterEpoch(CancellationTokenSource cancel, int epoch) : ITrainingObserver
    {
        public void OnEpochCompleted(HistoryRow row, bool isBest)
        {
            if (row.Epoch == epoch) cancel.Cancel();
        }
    }

    private sealed class CancelAfterBatches(CancellationTokenSource cancel, int batches) : ITrainingObserver
    {
        private int _seen;
        public void OnBatchCompleted(BatchProgress progress)
        {
            if (++_seen == batches) cancel.Cancel();
        }
    }
}
