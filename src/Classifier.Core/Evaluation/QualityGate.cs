using System.Globalization;

namespace Classifier.Core.Evaluation;

/// <summary>
/// The CI gate of <c>classify eval</c>: minimum top-1 accuracy and minimum macro F1. A model that falls short is
/// reported with a one-line reason naming the metric, its value and the threshold.
/// </summary>
/// <param name="MinAccuracy">Lowest acceptable top-1 accuracy (0 to 1), or null for no check.</param>
/// <param name="MinMacroF1">Lowest acceptable macro-averaged F1 (0 to 1), or null for no check.</param>
public sealed record QualityGate(double? MinAccuracy, double? MinMacroF1)
{
    /// <summary>True when at least one threshold is set.</summary>
    public bool IsActive => MinAccuracy is not null || MinMacroF1 is not null;

    /// <summary>Checks that thresholds are fractions; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (MinAccuracy is { } a && !(a is >= 0 and <= 1))
            throw new ClassifierException($"--min-accuracy {Format(a)}: give a fraction between 0 and 1, e.g. 0.7.");
        if (MinMacroF1 is { } f && !(f is >= 0 and <= 1))
            throw new ClassifierException($"--min-f1 {Format(f)}: give a fraction between 0 and 1, e.g. 0.7.");
    }

    /// <summary>The reasons the result fails the gate (empty when it passes), one line each.</summary>
    public IReadOnlyList<string> Failures(EvaluationResult result)
    {
        var failures = new List<string>();
        if (MinAccuracy is { } minAccuracy && !(result.Accuracy >= minAccuracy))
            failures.Add($"accuracy {Format(result.Accuracy)} < --min-accuracy {Format(minAccuracy)}");
        if (MinMacroF1 is { } minF1)
        {
            double f1 = Averages.Of(result.PerClass).Macro.F1;
            if (!(f1 >= minF1)) failures.Add($"macro F1 {Format(f1)} < --min-f1 {Format(minF1)}");
        }
        return failures;
    }

    private static string Format(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
