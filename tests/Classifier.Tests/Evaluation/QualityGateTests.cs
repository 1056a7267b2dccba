using Classifier.Core;
using Classifier.Core.Evaluation;

namespace Classifier.Tests.Evaluation;

public sealed class QualityGateTests
{
    /// <summary>true: a a a b; predicted: a a b b. Accuracy 0.75; F1 a = 0.8, b = 2/3, macro 0.7333.</summary>
    private static EvaluationResult Result()
    {
        var matrix = new ConfusionMatrix(["a", "b"]);
        foreach (var (t, p) in new[] { (0, 0), (0, 0), (0, 1), (1, 1) }) matrix.Add(t, p);
        return new EvaluationResult(4, 0.5, matrix, [], 0);
    }

    [Fact]
    public void AModelAtOrAboveBothThresholds_Passes()
    {
        Assert.Empty(new QualityGate(0.75, 0.7333).Failures(Result()));
        Assert.Empty(new QualityGate(null, null).Failures(Result()));
    }

    [Fact]
    public void EachShortfall_IsOneLineWithMetricValueAndThreshold()
    {
        var failures = new QualityGate(0.8, 0.74).Failures(Result());

        Assert.Equal(["accuracy 0.7500 < --min-accuracy 0.8000", "macro F1 0.7333 < --min-f1 0.7400"], failures);
    }

    [Fact]
    public void AThresholdOutsideZeroToOne_IsRefused()
    {
        var e = Assert.Throws<ClassifierException>(() => new QualityGate(1.2, null).Validate());
        Assert.StartsWith("--min-accuracy 1.2000", e.Message);
    }
}
