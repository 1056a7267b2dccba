using Classifier.Core.Prediction;
using Classifier.Tests.Support;

namespace Classifier.Tests.Prediction;

[Collection(SampleRunCollection.Name)]
public sealed class PredictorTests(SampleRunFixture sample)
{
    [Fact]
    public void Predictor_StreamsRowsBeforeTheInputsEnd()
    {
        // An endless input: rows can only come out if the predictor reads lazily and yields batch by batch.
        var image = Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Bag")).Order().First();
        static IEnumerable<PredictionInput> Endless(string path)
        {
            while (true) yield return new PredictionInput(path);
        }
        using var predictor = Predictor.Open(new PredictOptions { Model = sample.Run, BatchSize = 4 });

        var rows = predictor.Predict(Endless(image)).Take(10).ToList();

        Assert.Equal(10, rows.Count);
        Assert.All(rows, r => Assert.Equal(rows[0].Label, r.Label));
    }

    [Fact]
    public void Predictor_KeepsNoTensorsAliveFromBatchToBatch()
    {
        var image = Directory.GetFiles(Path.Combine(SampleRunFixture.Val, "Bag")).Order().First();
        using var predictor = Predictor.Open(new PredictOptions { Model = sample.Run, BatchSize = 2, TopK = 3 });
        var liveCounts = new List<long>();

        foreach (var _ in predictor.Predict(Enumerable.Repeat(new PredictionInput(image), 12)))
            liveCounts.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        Assert.Equal(12, liveCounts.Count);
        Assert.All(liveCounts, c => Assert.Equal(liveCounts[0], c));
    }
}
