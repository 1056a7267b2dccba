namespace Classifier.Core.Data;

/// <summary>An image file and the index of its class (the position of its class folder in sorted order).</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">Class index, 0-based.</param>
public sealed record LabeledImage(string Path, int Label);
