using System.Globalization;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

public sealed class TensorBoardObserverTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Crc32C_OfTheStandardCheckString_IsTheKnownValue()
    {
        // The CRC-32C check value from the CRC catalogue, so the framing test below rests on a known-good CRC.
        Assert.Equal(0xE3069283u, TfRecordReader.Crc32C("123456789"u8));
    }

    [Fact]
    public async Task Train_WithTensorBoard_WritesEventFilesWithValidFramingAndOneScalarPerEpochAndTag()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 8, size: 22);
        var logs = _dir.Combine("logs");
        var run = _dir.Combine("run-a");

        var train = await CliRun.Of("train", data, "--image-size", "22", "--epochs", "2", "--batch-size", "8",
            "-o", run, "--tensorboard", logs);

        Assert.True(train.ExitCode == 0, train.ToString());
        var history = HistoryCsv.Read(Path.Combine(run, RunFolder.HistoryName));
        var trainScalars = Scalars(Path.Combine(logs, "run-a", TensorBoardObserver.TrainFolder));
        var validationScalars = Scalars(Path.Combine(logs, "run-a", TensorBoardObserver.ValidationFolder));

        Assert.Equal(["epoch_accuracy", "epoch_learning_rate", "epoch_loss"], trainScalars.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["epoch_accuracy", "epoch_loss"], validationScalars.Keys.Order(StringComparer.Ordinal));
        foreach (var row in history)
        {
            Assert.Equal((float)row.Loss, trainScalars["epoch_loss"][row.Epoch]);
            Assert.Equal((float)row.Accuracy, trainScalars["epoch_accuracy"][row.Epoch]);
            Assert.Equal((float)row.LearningRate, trainScalars["epoch_learning_rate"][row.Epoch]);
            Assert.Equal((float)row.ValLoss, validationScalars["epoch_loss"][row.Epoch]);
            Assert.Equal((float)row.ValAccuracy, validationScalars["epoch_accuracy"][row.Epoch]);
        }
        Assert.Equal([1L, 2L], trainScalars["epoch_loss"].Keys.Order());
    }

    /// <summary>tag -> step -> value from the one event file in <paramref name="folder"/>, checking every record's CRCs.</summary>
    private static Dictionary<string, Dictionary<long, float>> Scalars(string folder)
    {
        var file = Assert.Single(Directory.GetFiles(folder, "events.out.tfevents.*"));
        var records = TfRecordReader.ReadRecords(file);
        var first = Tensorboard.Event.Parser.ParseFrom(records[0]);
        Assert.Equal("brain.Event:2", first.FileVersion);
        var scalars = new Dictionary<string, Dictionary<long, float>>();
        foreach (var record in records.Skip(1))
        {
            var e = Tensorboard.Event.Parser.ParseFrom(record);
            foreach (var value in e.Summary.Value)
            {
                if (!scalars.TryGetValue(value.Tag, out var steps)) scalars[value.Tag] = steps = [];
                steps.Add(e.Step, value.SimpleValue);
            }
        }
        return scalars;
    }
}
