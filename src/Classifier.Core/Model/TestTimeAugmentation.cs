namespace Classifier.Core.Model;

/// <summary>
/// Extra views of each image that evaluation and prediction run through the network, averaging the logits
/// (yolo's <c>augment=True</c>, timm's <c>--tta</c>). A model file records the one it was validated with, so
/// <c>eval</c> and <c>predict</c> use it unless told otherwise.
/// </summary>
public enum TestTimeAugmentation
{
    /// <summary>The image alone.</summary>
    None,

    /// <summary>
    /// The image and its left-right mirror image. Averaging their logits gives the normalised geometric mean of the
    /// two probability vectors; it costs a second forward pass.
    /// </summary>
    HorizontalFlip,
}
