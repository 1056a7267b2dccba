namespace Classifier.Core.Prediction;

/// <summary>A class and the probability the model gives it.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Probability">Softmax probability, 0 to 1.</param>
public sealed record LabelProbability(string Label, float Probability);
