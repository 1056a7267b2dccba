using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Evaluation;
using Classifier.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Evaluation;

/// <summary>
/// The evaluator's contract on a network whose every logit is known: class 0 ("dark") gets 2, class 1 ("light") gets
/// 4 x the image's mean pixel (0 for black, 4 for white). So black images are called dark and white ones light, each
/// with a loss of log(1 + e^-2), and a white image filed under dark costs log(1 + e^2).
/// </summary>
public sealed class EvaluatorTests : IDisposable
{
    private const int Side = 4;
    private static readonly Preprocessing Pixels = new(Side, Interpolation.Nearest, 1f / 255);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>dark: black, black, black, white (a mislabelled image), a text file; light: white, white.</summary>
    private Dataset Data()
    {
        var root = _dir.Combine("data");
        for (int i = 0; i < 3; i++) TestImages.Solid(Path.Combine(root, "dark", $"{i}.png"), Side, 0, 0, 0);
        TestImages.Solid(Path.Combine(root, "dark", "3.png"), Side, 255, 255, 255);
        BadFiles.TextAsImage(Path.Combine(root, "dark", "4.png"));
        for (int i = 0; i < 2; i++) TestImages.Solid(Path.Combine(root, "light", $"{i}.png"), Side, 255, 255, 255);
        return DatasetScanner.Scan(root);
    }

    private static nn.Module<Tensor, Tensor> KnownNetwork()
    {
        var linear = nn.Linear(Preprocessing.Channels * Side * Side, 2);
        using (no_grad())
        {
            linear.weight!.zero_();
            linear.weight[1].fill_(4.0 / (Preprocessing.Channels * Side * Side));
            linear.bias!.copy_(tensor(new float[] { 2, 0 }));
        }
        return nn.Sequential(("flatten", nn.Flatten()), ("linear", linear));
    }

    private static BatchLoader Loader(Dataset data, SkippedImages skipped) => new(data.Images, new ImageDecoder(Pixels), cache: null, skipped);

    [Fact]
    public void Evaluate_CountsEveryReadableImage_InTheConfusionMatrix_WithTheExactMeanLoss()
    {
        var data = Data();
        var skipped = new SkippedImages();
        using var network = KnownNetwork();
        var done = new List<long>();

        var result = Evaluator.Evaluate(network, Loader(data, skipped),
            new EvaluationSettings(data.ClassNames, Pixels, BatchSize: 4) { OnBatch = done.Add });

        Assert.Equal(6, result.Images);
        Assert.Equal(1, skipped.Count);
        Assert.Equal(6, result.Matrix.Total);
        Assert.Equal([[3L, 1L], [0L, 2L]], result.Matrix.ToRows());
        Assert.Equal(5.0 / 6, result.Accuracy, 12);
        double right = Math.Log(1 + Math.Exp(-2)), wrong = Math.Log(1 + Math.Exp(2));
        Assert.True(double.IsFinite(result.Loss));
        Assert.Equal((5 * right + wrong) / 6, result.Loss, 5);
        Assert.Equal(result.Loss * result.Images, result.LossSum, 9);
        // Batches of 4 files: dark 0-3, then the text file (dropped) and the two light images.
        Assert.Equal([4L, 6L], done);
        Assert.Null(result.TopKAccuracy);
    }

    [Fact]
    public void Evaluate_GivesOnePredictionPerReadableImage_InDatasetOrder()
    {
        var data = Data();
        using var network = KnownNetwork();

        var result = Evaluator.Evaluate(network, Loader(data, new SkippedImages()), new EvaluationSettings(data.ClassNames, Pixels, BatchSize: 2));

        var unreadable = data.Images.ToList().FindIndex(i => i.Path.EndsWith("4.png", StringComparison.Ordinal) && i.Label == 0);
        Assert.Equal(Enumerable.Range(0, data.Images.Count).Where(i => i != unreadable), result.Predictions.Select(p => p.Index));
        Assert.Equal(result.Predictions.Select(p => data.Images[p.Index].Label), result.Predictions.Select(p => p.Actual));
        var mislabelled = Assert.Single(result.Predictions, p => p.Actual != p.Predicted);
        Assert.EndsWith(Path.Combine("dark", "3.png"), data.Images[mislabelled.Index].Path);
        Assert.Equal(1, mislabelled.Predicted);
        Assert.Equal(Math.Log(1 + Math.Exp(2)), mislabelled.Loss, 5);
        Assert.Equal(1 / (1 + Math.Exp(-2)), mislabelled.Confidence, 5);
    }

    [Fact]
    public void Evaluate_WithTopKOfEveryClass_CountsEveryImage_AndRefusesAKAboveTheClassCount()
    {
        var data = Data();
        using var network = KnownNetwork();

        var result = Evaluator.Evaluate(network, Loader(data, new SkippedImages()),
            new EvaluationSettings(data.ClassNames, Pixels, BatchSize: 4) { TopK = 2 });

        Assert.Equal(2, result.TopK);
        Assert.Equal(6, result.TopKCorrect);
        Assert.Equal(1.0, result.TopKAccuracy);
        var e = Assert.Throws<ClassifierException>(() => Evaluator.Evaluate(network, Loader(data, new SkippedImages()),
            new EvaluationSettings(data.ClassNames, Pixels, BatchSize: 4) { TopK = 3 }));
        Assert.Equal("--top-k 3: the model has only 2 classes.", e.Message);
    }

    [Fact]
    public void Evaluate_OnNoReadableImage_ReturnsNoImagesAndANaNLoss()
    {
        var root = _dir.Combine("unreadable");
        BadFiles.TextAsImage(Path.Combine(root, "dark", "0.png"));
        BadFiles.TextAsImage(Path.Combine(root, "light", "0.png"));
        var data = DatasetScanner.Scan(root);
        using var network = KnownNetwork();

        var result = Evaluator.Evaluate(network, Loader(data, new SkippedImages()), new EvaluationSettings(data.ClassNames, Pixels, BatchSize: 4));

        Assert.Equal(0, result.Images);
        Assert.Equal(0, result.Matrix.Total);
        Assert.True(double.IsNaN(result.Loss));
        Assert.Empty(result.Predictions);
    }
}
