using TorchSharp;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Core.Model;

/// <summary>The one place that applies <see cref="TestTimeAugmentation"/>.</summary>
public static class AugmentedLogits
{
    /// <summary>
    /// Logits [N, classes] of <paramref name="input"/> [N, 3, H, W] with the views of <paramref name="augmentation"/>.
    /// Call without gradients, inside the caller's dispose scope, with the network in eval mode.
    /// </summary>
    public static Tensor Logits(this nn.Module<Tensor, Tensor> network, Tensor input, TestTimeAugmentation augmentation) =>
        Apply(x => StagedInference.Call(network, x), input, augmentation);

    /// <summary>
    /// Logits [N, classes] of <paramref name="input"/> with the views of <paramref name="augmentation"/>, each view's
    /// logits computed by <paramref name="forward"/> (whatever engine runs the network).
    /// </summary>
    public static Tensor Apply(Func<Tensor, Tensor> forward, Tensor input, TestTimeAugmentation augmentation)
    {
        if (augmentation == TestTimeAugmentation.None) return forward(input);
        long n = input.shape[0];
        var logits = forward(cat([input, input.flip(3)]));   // [2N, classes]: originals, then mirror images
        return logits.view(2, n, -1).mean([0]);             // [N, classes]
    }
}
