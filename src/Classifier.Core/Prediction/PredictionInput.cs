namespace Classifier.Core.Prediction;

/// <summary>A file to classify, or an argument that could not be used (then <see cref="Error"/> says why).</summary>
/// <param name="Path">The file's path (as found, or the argument as given).</param>
/// <param name="Error">Why it cannot be classified, or null.</param>
public sealed record PredictionInput(string Path, string? Error = null);
