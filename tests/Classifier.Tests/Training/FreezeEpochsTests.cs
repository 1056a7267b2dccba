using Classifier.Core;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Tests.Training;

/// <summary><c>--freeze-epochs</c>: fastai's fine_tune in one run, the phase a function of the epoch.</summary>
public sealed class FreezeEpochsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;
    private readonly string _weights;

    public FreezeEpochsTests()
    {
        _data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 10, size: 32);
        _weights = _dir.Combine("start.pth");
        manual_seed(99);
        using var start = NetworkRegistry.Get("mobilenet_v3_small").Create(3, 32);
        start.save_py(_weights);
    }

    public void Dispose() => _dir.Dispose();

    private TrainOptions Options(string output, int epochs = 3) => new()
    {
        DataDir = _data,
        OutputDir = _dir.Combine(output),
        Model = "mobilenet_v3_small",
        Weights = _weights,
        FreezeEpochs = 1,
        ImageSize = 32,
        Epochs = epochs,
        BatchSize = 6,
        Threads = 1,
        Seed = 7,
        ValidationSplit = 0.2,
    };

    [Fact]
    public void FirstEpoch_TrainsTheHeadAlone_ThenTheWholeNetworkTrainsAtHalfTheRate()
    {
        var snapshot = new SnapshotAfterEpoch(1);

        var result = new Trainer(Options("phases", epochs: 2), snapshot).Run();

        using var start = ModelFile.Load(result.Run.LastModel);
        var initial = NetworkRegistry.Get("mobilenet_v3_small").Create(3, 32);
        initial.load_py(_weights);
        var before = initial.state_dict();
        foreach (var (key, tensor) in snapshot.Weights!)
        {
            bool same = tensor.equal(before[key]).all().item<bool>();
            Assert.True(key.StartsWith("classifier.", StringComparison.Ordinal) ? !same : same, $"after the frozen epoch: {key}");
        }
        var after = start.Network.state_dict();
        Assert.False(after["features.1.block.0.0.weight"].equal(snapshot.Weights["features.1.block.0.0.weight"]).all().item<bool>(),
            "the backbone trains after --freeze-epochs");
        // The default schedule with --freeze-epochs is cosine: epoch 2 of 2 is half-way down it, then halved.
        Assert.Equal(1e-3, result.History[0].LearningRate);
        Assert.Equal(1e-3 * 0.5 * LearningRates.UnfrozenFactor, result.History[1].LearningRate, 12);
        Assert.Equal(LearningRateSchedule.Cosine, TrainOptionsFile.Read(result.Run.Options).LrSchedule);
        Assert.Equal(1, TrainOptionsFile.Read(result.Run.Options).FreezeEpochs);
    }

    [Fact]
    public void AfterTheFrozenEpochs_BatchNormKeepsTheStartingStatistics_UnlessFreezeIsGiven()
    {
        var kept = new Trainer(Options("kept", epochs: 2), new RecordingObserver()).Run();
        var trains = new Trainer(Options("trains", epochs: 2) with { Freeze = FreezeMode.None }, new RecordingObserver()).Run();

        var initial = NetworkRegistry.Get("mobilenet_v3_small").Create(3, 32);
        initial.load_py(_weights);
        const string statistics = "features.1.block.0.1.running_mean", weight = "features.1.block.0.0.weight";
        using var a = ModelFile.Load(kept.Run.LastModel);
        using var b = ModelFile.Load(trains.Run.LastModel);
        Assert.True(a.Network.state_dict()[statistics].equal(initial.state_dict()[statistics]).all().item<bool>(),
            "by default the batch-norm statistics stay the starting weights' after --freeze-epochs");
        Assert.False(a.Network.state_dict()[weight].equal(initial.state_dict()[weight]).all().item<bool>(), "the backbone's weights still train");
        Assert.False(b.Network.state_dict()[statistics].equal(initial.state_dict()[statistics]).all().item<bool>(),
            "--freeze none lets batch norm update its statistics after the frozen epochs");
        Assert.Equal(FreezeMode.BatchNorm, TrainOptionsFile.Read(kept.Run.Options).Freeze);
        Assert.Equal(FreezeMode.None, TrainOptionsFile.Read(trains.Run.Options).Freeze);
    }

    [Fact]
    public void RunCancelledAtThePhaseBoundary_OrInsideTheFirstUnfrozenEpoch_ResumesToTheSameHistoryAndModel()
    {
        var straight = new Trainer(Options("straight"), new RecordingObserver()).Run();

        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(Options("boundary"), new CancelAfterEpoch(cancel, 1)).Run(cancel.Token));
        var atBoundary = Trainer.Resume(_dir.Combine("boundary"), null, new RecordingObserver());

        // 24 training images in batches of 6: batch 6 is the second of epoch 2, the first unfrozen epoch.
        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(Options("inside"), new CancelAfterBatches(cancel, 6)).Run(cancel.Token));
        Assert.Single(HistoryCsv.Read(_dir.Combine("inside", RunFolder.HistoryName)));
        var inside = Trainer.Resume(_dir.Combine("inside"), null, new RecordingObserver());

        Assert.Equal(HistoryNumbers.Of(straight.History), HistoryNumbers.Of(atBoundary.History));
        Assert.Equal(HistoryNumbers.Of(straight.History), HistoryNumbers.Of(inside.History));
        using var a = ModelFile.Load(straight.Run.LastModel);
        using var b = ModelFile.Load(atBoundary.Run.LastModel);
        using var c = ModelFile.Load(inside.Run.LastModel);
        Assert.Equal(ModelFile.WeightsToBytes(a.Network), ModelFile.WeightsToBytes(b.Network));
        Assert.Equal(ModelFile.WeightsToBytes(a.Network), ModelFile.WeightsToBytes(c.Network));
    }

    [Theory]
    [InlineData("seed-cnn", 1, 3, "has no separate head")]
    [InlineData("resnet18", 3, 3, "give fewer than --epochs (3)")]
    [InlineData("resnet18", -1, 3, "give 0 or more")]
    public void BadFreezeEpochs_AreRefusedNamingTheOption(string model, int freezeEpochs, int epochs, string expected)
    {
        var options = new TrainOptions { DataDir = _data, Model = model, FreezeEpochs = freezeEpochs, Epochs = epochs };

        var e = Assert.Throws<ClassifierException>(options.Validate);

        Assert.Contains("--freeze-epochs", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void FreezeEpochs_WithFreezeBackbone_IsRefused()
    {
        var options = new TrainOptions { DataDir = _data, Model = "resnet18", FreezeEpochs = 1, Freeze = FreezeMode.Backbone };

        var e = Assert.Throws<ClassifierException>(options.Validate);

        Assert.Contains("--freeze backbone", e.Message);
    }

    /// <summary>Copies the weights of last.cls when an epoch completes (it is written before the observer hears of it).</summary>
    private sealed class SnapshotAfterEpoch(int epoch) : ITrainingObserver
    {
        private string? _run;
        public Dictionary<string, Tensor>? Weights { get; private set; }
        public void OnTrainingStarted(TrainingStarted start) => _run = start.Run.LastModel;
        public void OnEpochCompleted(HistoryRow row, bool isBest)
        {
            if (row.Epoch != epoch) return;
            using var saved = ModelFile.Load(_run!);
            Weights = saved.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        }
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
