using static TorchSharp.torch;

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

/// <summary>The one place that applies <see cref="TestTimeAugmentation"/>.</summary>
public static class TestTimeAugmentations
{
    /// <summary>
    /// Logits [N, classes] of <paramref name="input"/> [N, 3, H, W] with the views of <paramref name="augmentation"/>.
    /// Call without gradients, inside the caller's dispose scope, with the network in eval mode.
    /// </summary>
    public static Tensor Logits(this nn.Module<Tensor, Tensor> network, Tensor input, TestTimeAugmentation augmentation)
    {
        if (augmentation == TestTimeAugmentation.None) return network.forward(input);
        long n = input.shape[0];
        var logits = network.forward(cat([input, input.flip(3)]));   // [2N, classes]: originals, then mirror images
        return logits.view(2, n, -1).mean([0]);                      // [N, classes]
    }
}
