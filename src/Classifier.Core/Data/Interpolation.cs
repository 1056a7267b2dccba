namespace Classifier.Core.Data;

/// <summary>How images are resized to the network's input size.</summary>
public enum Interpolation
{
    /// <summary>Nearest neighbour, the Keras default for <c>flow_from_directory</c>.</summary>
    Nearest,

    /// <summary>Bilinear (ImageSharp's triangle filter, which also anti-aliases when shrinking).</summary>
    Bilinear,
}
