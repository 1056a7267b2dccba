using Classifier.Core.Evaluation;

namespace Classifier.Tests.Evaluation;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void PerClassFigures_MatchAHandComputation()
    {
        // true:      a a a b b c
        // predicted: a a b b c c
        var matrix = new ConfusionMatrix(["a", "b", "c"]);
        foreach (var (t, p) in new[] { (0, 0), (0, 0), (0, 1), (1, 1), (1, 2), (2, 2) }) matrix.Add(t, p);

        var m = matrix.PerClass();

        Assert.Equal(4.0 / 6, matrix.Accuracy(), 12);
        Assert.Equal((1.0, 2.0 / 3, 0.8, 3L), (m[0].Precision, m[0].Recall, m[0].F1, m[0].Support));
        Assert.Equal((0.5, 0.5, 0.5, 2L), (m[1].Precision, m[1].Recall, m[1].F1, m[1].Support));
        Assert.Equal((0.5, 1.0, 2.0 / 3, 1L), (m[2].Precision, m[2].Recall, m[2].F1, m[2].Support));
        var (macro, weighted) = Averages.Of(m);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, macro.F1, 12);
        Assert.Equal((0.8 * 3 + 0.5 * 2 + 2.0 / 3) / 6, weighted.F1, 12);
        Assert.Equal(6, matrix.Total);
        Assert.Equal(1, matrix[0, 1]);
    }

    [Fact]
    public void MacroAverage_LeavesOutClassesWithoutImages_SoAOneClassBatchIsNotMarkedDown()
    {
        // A batch of class b only, evaluated by a three-class model: true b b b b, predicted b b b a.
        var matrix = new ConfusionMatrix(["a", "b", "c"]);
        foreach (var p in new[] { 1, 1, 1, 0 }) matrix.Add(1, p);

        var (macro, weighted) = Averages.Of(matrix.PerClass());

        Assert.Equal(2 * 0.75 / 1.75, macro.F1, 12); // b's F1 alone: precision 1, recall 0.75
        Assert.Equal(0.75, macro.Recall, 12);
        Assert.Equal(macro.F1, weighted.F1, 12);
        Assert.Equal(4, macro.Support);
    }

    [Fact]
    public void AClassNeverPredicted_HasZeroPrecision_NotNaN()
    {
        var matrix = new ConfusionMatrix(["a", "b"]);
        matrix.Add(1, 0);
        var m = matrix.PerClass();
        Assert.Equal(0, m[1].Precision);
        Assert.Equal(0, m[1].F1);
    }
}
