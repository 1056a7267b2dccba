namespace Classifier.Core.Model;

/// <summary>The arguments a zoo architecture is built with, recorded in the model file.</summary>
/// <param name="ClassCount">Outputs of the classifier layer.</param>
/// <param name="ImageSize">Side of the square input, px.</param>
public sealed record NetworkHyperparameters(int ClassCount, int ImageSize);
