using Classifier.Core.Torch;
using Classifier.Core.Training;
using TorchSharp;

namespace Classifier.Tests.Training;

public sealed class TrainingLossTests
{
    public TrainingLossTests() => TorchRuntime.Initialize();

    [Fact]
    public void BalancedWeights_AreImagesOverClassesTimesClassImages()
    {
        Assert.Equal([2.0, 2.0 / 3], TrainingLoss.BalancedWeights([10, 30]));
    }

    [Fact]
    public void ClassWeights_ScaleEachImagesLoss_AsComputedByHand()
    {
        float[,] logits = { { 2, 0 }, { 0, 1 }, { 1, 1 } };
        long[] labels = { 0, 1, 0 };
        double[] weights = { 2.0, 0.5 };
        static double CrossEntropy(double a, double b, long label) =>
            -Math.Log(Math.Exp(label == 0 ? a : b) / (Math.Exp(a) + Math.Exp(b)));
        double expected = (2.0 * CrossEntropy(2, 0, 0) + 0.5 * CrossEntropy(0, 1, 1) + 2.0 * CrossEntropy(1, 1, 0)) / 3;

        using var scope = torch.NewDisposeScope();
        using var loss = new TrainingLoss(0, weights);
        double actual = loss.Compute(torch.tensor(logits), torch.tensor(labels)).item<float>();
        using var plain = new TrainingLoss(0, null);
        double unweighted = plain.Compute(torch.tensor(logits), torch.tensor(labels)).item<float>();

        Assert.Equal(expected, actual, 5);
        Assert.NotEqual(expected, unweighted, 3);
    }

    [Fact]
    public void LabelSmoothing_RaisesTheLossOfAConfidentCorrectPrediction()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new float[,] { { 10, 0, 0 } });
        var labels = torch.tensor(new long[] { 0 });
        using var sharp = new TrainingLoss(0, null);
        using var smooth = new TrainingLoss(0.1, null);
        // With smoothing s over K classes the target is (1 - s + s/K) on the label and s/K elsewhere.
        double logZ = Math.Log(Math.Exp(10) + 2);
        double expected = -(1 - 0.1 + 0.1 / 3) * (10 - logZ) - 2 * (0.1 / 3) * (0 - logZ);
        Assert.Equal(expected, smooth.Compute(logits, labels).item<float>(), 4);
        Assert.True(sharp.Compute(logits, labels).item<float>() < 0.001);
    }
}
