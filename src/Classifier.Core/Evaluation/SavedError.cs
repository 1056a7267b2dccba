namespace Classifier.Core.Evaluation;

/// <summary>One misclassified image as a shard's <c>metrics.json</c> records it (see <see cref="SavedShard"/>).</summary>
/// <param name="Position">The image's position in the whole data folder, from 0.</param>
/// <param name="Path">The image file.</param>
/// <param name="TrueLabel">Its class.</param>
/// <param name="PredictedLabel">The class the model gave it.</param>
/// <param name="Confidence">The probability of the predicted class.</param>
public sealed record SavedError(int Position, string Path, string TrueLabel, string PredictedLabel, float Confidence);
