namespace Classifier.Core.Plotting;

/// <summary>One tile of the contact sheet: an image with its true and predicted class.</summary>
/// <param name="Path">Image file.</param>
/// <param name="TrueLabel">True class name.</param>
/// <param name="PredictedLabel">Predicted class name.</param>
/// <param name="Confidence">Probability the model gave its prediction.</param>
public sealed record ContactSheetTile(string Path, string TrueLabel, string PredictedLabel, double Confidence);
