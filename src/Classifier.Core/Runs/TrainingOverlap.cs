namespace Classifier.Core.Runs;

/// <summary>How many evaluated images are, by content, images the model's run trained or validated on.</summary>
/// <param name="Train">Images with the content of a training image: their figures overstate the model.</param>
/// <param name="Validation">Images with the content of a validation image.</param>
public sealed record TrainingOverlap(int Train, int Validation);
