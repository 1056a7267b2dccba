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
    public static Tensor Logits(this nn.Module<Tensor, Tensor> network, Tensor input, TestTimeAugmentation augmentation)
    {
        if (augmentation == TestTimeAugmentation.None) return StagedInference.Call(network, input);
        long n = input.shape[0];
        var logits = StagedInference.Call(network, cat([input, input.flip(3)]));   // [2N, classes]: originals, then mirror images
        return logits.view(2, n, -1).mean([0]);                      // [N, classes]
    }
}
