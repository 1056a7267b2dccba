namespace Classifier.Core.Prediction;

/// <summary>The answer for one input: its most probable classes, or the reason it could not be classified.</summary>
/// <param name="Path">The input file.</param>
/// <param name="Top">The k most probable classes, most probable first; empty when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the file could not be classified, or null.</param>
public sealed record PredictionRow(string Path, IReadOnlyList<LabelProbability> Top, string? Error)
{
    /// <summary>The most probable class, or null for an error row.</summary>
    public string? Label => Top.Count > 0 ? Top[0].Label : null;

    /// <summary>The probability of <see cref="Label"/>, or null for an error row.</summary>
    public float? Confidence => Top.Count > 0 ? Top[0].Probability : null;
}
