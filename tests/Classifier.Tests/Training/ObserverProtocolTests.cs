using Classifier.Core.Data;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class ObserverProtocolTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Training_TellsEveryObserverTheDataWarnings_AndTheEnd_ThoughAnObserverImplementsOnlyWhatItUses()
    {
        // class_a has four times class_b's images, and one file that is not an image.
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 16, size: 24);
        foreach (var extra in Directory.GetFiles(Path.Combine(data, "class_b")).Order().Skip(4)) File.Delete(extra);
        var bad = BadFiles.TextAsImage(Path.Combine(data, "class_a", "zz-broken.png"));
        var recording = new RecordingObserver();
        var endOnly = new EndOnly();
        var order = new EventOrder();

        var result = new Trainer(new TrainOptions
        {
            DataDir = data,
            OutputDir = _dir.Combine("run"),
            ImageSize = 24,
            Epochs = 1,
            BatchSize = 8,
            Threads = 1,
            ValidationSplit = 0.25,
        }, new CompositeObserver(recording, endOnly, order)).Run();

        Assert.Contains(recording.Warnings, w => w.Kind == DataWarningKind.ClassImbalance);
        Assert.Equal([bad], recording.Skipped.Select(s => s.Path));
        Assert.Equal(1, result.SkippedImages);
        Assert.Same(result, endOnly.Result);
        Assert.Same(result, recording.Ended);
        // The class warnings come after the start and before the first batch; the end comes last.
        Assert.Equal(["started", "class_imbalance", "batch"], order.Events.Where(e => e != "skipped_image").Take(3));
        Assert.Equal("ended", order.Events[^1]);
    }

    /// <summary>Implements the end of training alone: every other event falls to the interface's no-op defaults.</summary>
    private sealed class EndOnly : ITrainingObserver
    {
        public TrainResult? Result { get; private set; }
        public void OnTrainingEnded(TrainResult result) => Result = result;
    }

    private sealed class EventOrder : ITrainingObserver
    {
        private readonly Lock _lock = new();
        public List<string> Events { get; } = [];
        public void OnTrainingStarted(TrainingStarted start) => Add("started");
        public void OnDataWarning(DataWarning warning) => Add(Classifier.Core.EnumValues.Name(warning.Kind));
        public void OnBatchCompleted(BatchProgress progress) => Add("batch");
        public void OnTrainingEnded(TrainResult result) => Add("ended");

        private void Add(string name)
        {
            lock (_lock) Events.Add(name);
        }
    }
}
