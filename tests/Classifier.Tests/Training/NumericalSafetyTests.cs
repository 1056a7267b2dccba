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
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 12, size: 24);
        var options = new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("run"), ImageSize = 24, Epochs = 20, BatchSize = 4, Threads = 1,
            LearningRate = 1e30,
        };

        var e = Assert.Throws<ClassifierException>(() => new Trainer(options, new RecordingObserver()).Run());

        Assert.Matches(@"loss became (NaN|-?∞|-?Infinity) at epoch \d+, batch \d+", e.Message);
        var last = Path.Combine(options.OutputDir, RunFolder.LastModelName);
        if (File.Exists(last))
        {
            using var model = ModelFile.Load(last);
            Assert.All(HistoryCsv.Read(Path.Combine(options.OutputDir, RunFolder.HistoryName)), r => Assert.True(double.IsFinite(r.Loss)));
        }
    }
}
