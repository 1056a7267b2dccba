namespace Classifier.Core.Evaluation;

/// <summary>Precision, recall and F1 of one class (0 where undefined, as scikit-learn's zero_division=0).</summary>
/// <param name="Name">Class name.</param>
/// <param name="Precision">Correct predictions of the class over all predictions of it.</param>
/// <param name="Recall">Correct predictions of the class over all images of it.</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">Images of the class.</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, long Support);
