namespace Classifier.Core.Data;

/// <summary>
/// How an image that is not square becomes the square network input (<c>--resize</c>). Model files written before it
/// existed read as <see cref="Squash"/>, which is what they were trained with.
/// </summary>
public enum ResizeMode
{
    /// <summary>Stretch the whole image to the square (Keras' <c>flow_from_directory</c>, the seed recipe): nothing is lost, shapes are distorted.</summary>
    Squash,

    /// <summary>
    /// torchvision's evaluation transform: scale so the shorter side is size / 0.875 (256 for 224), then cut the centre
    /// square of the network size. Shapes are kept; the borders (12.5% of the shorter side, more of the longer) are lost.
    /// </summary>
    Crop,

    /// <summary>Letterbox: scale so the longer side fits the square and fill the rest with black. Nothing is lost or distorted.</summary>
    Pad,
}
