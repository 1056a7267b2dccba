namespace Classifier.Core.Evaluation;

/// <summary>The network's answer for one evaluated image.</summary>
/// <param name="Index">Position of the image in the evaluated dataset.</param>
/// <param name="Actual">True class index.</param>
/// <param name="Predicted">Predicted class index (highest probability).</param>
/// <param name="Confidence">Probability of the predicted class.</param>
/// <param name="Loss">Cross-entropy of this image.</param>
public sealed record ImagePrediction(int Index, int Actual, int Predicted, float Confidence, float Loss);
