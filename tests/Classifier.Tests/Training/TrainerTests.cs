using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using TorchSharp;

namespace Classifier.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private TrainOptions Options(string data, string output, int epochs = 3) => new()
    {
        DataDir = data,
        OutputDir = _dir.Combine(output),
        ImageSize = 24,
        Epochs = epochs,
        BatchSize = 8,
        Threads = 1,
        Seed = 5,
    };

    [Fact]
    public void ShortTraining_OnSeparableImages_Learns()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 16, size: 24);
        var observer = new RecordingObserver();

        var result = new Trainer(Options(data, "run", epochs: 4), observer).Run();

        Assert.Equal(4, result.History.Count);
        Assert.True(result.History[^1].Loss < result.History[0].Loss, "training loss should fall");
        Assert.True(result.History[^1].ValAccuracy >= 0.9, $"val_accuracy {result.History[^1].ValAccuracy}");
        Assert.Equal(4, observer.Epochs.Count);
        Assert.Equal(48 - 3 * 3, observer.Started!.Train.Images.Count); // round(20% of 16) = 3 held out per class
        Assert.True(File.Exists(result.Run.BestModel) && File.Exists(result.Run.LastModel));
        Assert.True(File.Exists(result.Run.Curves) && File.Exists(result.Run.Options));
        Assert.Equal(result.History, HistoryCsv.Read(result.Run.History));
    }

    [Fact]
    public void SameSeedAndThreads_GiveTheSameHistory()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 12, size: 24);

        var first = new Trainer(Options(data, "a", epochs: 2), new RecordingObserver()).Run().History;
        var second = new Trainer(Options(data, "b", epochs: 2), new RecordingObserver()).Run().History;

        Assert.Equal(first.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy)),
            second.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy)));
    }

    [Fact]
    public void BestModel_IsTheEpochWithTheLowestValidationLoss()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 10, size: 24);

        var result = new Trainer(Options(data, "run", epochs: 3), new RecordingObserver()).Run();

        var best = result.History.MinBy(r => r.ValLoss)!;
        Assert.Equal(best.Epoch, result.BestEpoch);
        Assert.Equal(best.Epoch, ModelFile.ReadInfo(result.Run.BestModel).Epoch);
        Assert.Equal(3, ModelFile.ReadInfo(result.Run.LastModel).Epoch);
    }

    [Fact]
    public void UnreadableImages_AreSkippedWithAWarning_AndListedInSkippedCsv()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 10, size: 24);
        var bad = Path.Combine(data, "class_a", "broken.png");
        File.WriteAllText(bad, "not a png");
        var observer = new RecordingObserver();

        var result = new Trainer(Options(data, "run", epochs: 1) with { ValidationSplit = 0.5 }, observer).Run();

        Assert.Contains(observer.Skipped, s => s.Path == bad);
        Assert.Equal(1, result.SkippedImages);
        Assert.Contains("broken.png", File.ReadAllText(result.Run.Skipped));
    }

    [Fact]
    public void TrainingSteps_DoNotLeakTensors()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 16, size: 24);
        var observer = new LiveTensorObserver();

        new Trainer(Options(data, "run", epochs: 1), observer).Run();

        Assert.True(observer.LiveCounts.Count >= 3);
        Assert.Equal(observer.LiveCounts[1], observer.LiveCounts[^1]);
    }

    /// <summary>Records the number of live tensors after each batch.</summary>
    private sealed class LiveTensorObserver : ITrainingObserver
    {
        public List<long> LiveCounts { get; } = [];
        public void OnBatchCompleted(BatchProgress progress) => LiveCounts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
