using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Evaluation;
using Classifier.Core.Reporting;
using Classifier.Tests.Support;

namespace Classifier.Tests.Evaluation;

/// <summary>
/// metrics.json has one reader, <see cref="SavedEvaluation.Read"/>; an evaluation still in memory gives the same record
/// through <see cref="SavedEvaluation.Of"/> without writing and parsing it, so the CI summary of an eval is the one its
/// file would give.
/// </summary>
public sealed class SavedEvaluationTests(ShardMergeTests.TrainedModel model) : IClassFixture<ShardMergeTests.TrainedModel>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Of_AnEvaluation_IsWhatReadGivesOfItsMetricsJson()
    {
        var report = ModelEvaluation.Run(new EvalOptions { Model = model.Run, DataDir = model.Data, Threads = 1, TopK = 2 });
        var folder = EvaluationFolder.WriteInto(report, _dir.Combine("eval"));
        var path = Path.Combine(folder, EvaluationOutputs.MetricsName);

        var read = SavedEvaluation.Read(path);
        var of = SavedEvaluation.Of(report, path);

        Assert.Equal((read.Path, read.Model, read.Data, read.Images, read.Accuracy, read.Loss, read.TopK, read.TopKAccuracy),
            (of.Path, of.Model, of.Data, of.Images, of.Accuracy, of.Loss, of.TopK, of.TopKAccuracy));
        Assert.Equal(read.ClassNames, of.ClassNames);
        Assert.Equal(read.PerClass, of.PerClass);
        Assert.Equal((read.Macro, read.Weighted), (of.Macro, of.Weighted));
        Assert.Equal(read.Matrix, of.Matrix);
        Assert.Equal((read.Skipped, read.Split, read.TrainedOn, read.Overlap), (of.Skipped, of.Split, of.TrainedOn, of.Overlap));
        Assert.Equal((read.ModelEpoch, read.Augmentation, read.Engine, read.LossSum, read.TopKCorrect, read.Seconds),
            (of.ModelEpoch, of.Augmentation, of.Engine, of.LossSum, of.TopKCorrect, of.Seconds));
        Assert.Equal(read.SkippedFiles, of.SkippedFiles);
        Assert.Equal(1, read.Skipped);
        Assert.NotNull(read.Overlap);
        Assert.Equal(MarkdownSummary.ForEvaluation(read, null, []), MarkdownSummary.ForEvaluation(of, null, []));
    }

    [Fact]
    public void Read_OfAMissingOrDamagedFile_NamesIt()
    {
        var missing = _dir.Combine("none", "metrics.json");
        var damaged = _dir.Combine("metrics.json");
        var report = ModelEvaluation.Run(new EvalOptions { Model = model.Run, DataDir = model.Data, Threads = 1 });
        var root = JsonNode.Parse(EvaluationJson.ToText(report))!;
        root["confusion_matrix"]![0]![0] = -1;
        File.WriteAllText(damaged, root.ToJsonString());

        var gone = Assert.Throws<ClassifierException>(() => SavedEvaluation.Read(missing));
        var bad = Assert.Throws<ClassifierException>(() => SavedEvaluation.Read(damaged));

        Assert.Equal($"Evaluation file '{missing}' does not exist; run 'classify eval' to create it.", gone.Message);
        Assert.Equal($"Evaluation file '{damaged}': the confusion matrix is not 3x3 counts.", bad.Message);
    }
}
