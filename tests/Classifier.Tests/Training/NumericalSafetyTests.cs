using Classifier.Core;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class NumericalSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ALossThatBecomesNaN_StopsTheRun_WithAClearMessage_AndKeepsTheLastGoodCheckpoint()
    {
        // One good epoch, then the run continues with a rate that makes the weights, and so the loss, overflow.
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 12, size: 24);
        var options = new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("run"), ImageSize = 24, Epochs = 1, BatchSize = 4, Threads = 1,
        };
        new Trainer(options, new RecordingObserver()).Run();
        var run = RunFolder.Open(options.OutputDir);
        var goodCheckpoint = File.ReadAllBytes(run.LastModel);
        TrainOptionsFile.Write(run.Options, TrainOptionsFile.Read(run.Options) with { LearningRate = 1e30 });

        var e = Assert.Throws<ClassifierException>(() => Trainer.Resume(run.Path, epochs: 3, new RecordingObserver()));

        Assert.Matches(@"loss became (NaN|-?∞|-?Infinity) at epoch 2, batch \d+", e.Message);
        Assert.Equal(goodCheckpoint, File.ReadAllBytes(run.LastModel));
        using var model = ModelFile.Load(run.LastModel);
        Assert.Equal(1, model.Info.Epoch);
        var history = HistoryCsv.Read(run.History);
        Assert.Single(history);
        Assert.True(double.IsFinite(history[0].Loss));
    }
}
