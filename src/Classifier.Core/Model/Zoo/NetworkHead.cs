using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>Finds and resizes a network's head by its state-dict prefix, for any architecture.</summary>
public static class NetworkHead
{
    /// <summary>The sub-module of <paramref name="network"/> at <paramref name="prefix"/> (e.g. <c>fc</c>, <c>classifier.3</c>).</summary>
    public static nn.Module<Tensor, Tensor> Module(nn.Module network, string prefix) =>
        network.named_modules().FirstOrDefault(m => m.name == prefix).module as nn.Module<Tensor, Tensor>
        ?? throw new InvalidOperationException($"The network has no module '{prefix}'.");

    /// <summary>The last linear layer at <paramref name="prefix"/>.</summary>
    public static Linear Classifier(nn.Module network, string prefix) =>
        Module(network, prefix) as Linear ?? throw new InvalidOperationException($"'{prefix}' is not a linear layer.");

    /// <summary>Output size of the linear layer at <paramref name="prefix"/>.</summary>
    public static long Outputs(nn.Module network, string prefix) => Classifier(network, prefix).weight.shape[0];

    /// <summary>
    /// Gives the linear layer at <paramref name="prefix"/> <paramref name="classes"/> outputs with fresh weights: as
    /// PyTorch's <c>nn.Linear</c> initialises them (what <c>model.fc = nn.Linear(...)</c> gives in a fine-tuning script),
    /// or normal(0, 0.01) and zero bias as torchvision's MobileNets do.
    /// </summary>
    public static void Resize(nn.Module network, string prefix, int classes, bool torchVisionMobileNetInit = false)
    {
        var linear = Classifier(network, prefix);
        var old = linear.weight;
        long inputs = old.shape[1];
        using var noGrad = no_grad();
        var weight = empty([classes, inputs], dtype: old.dtype, device: old.device);
        var bias = empty([classes], dtype: old.dtype, device: old.device);
        if (torchVisionMobileNetInit)
        {
            nn.init.normal_(weight, 0, 0.01);
            nn.init.zeros_(bias);
        }
        else
        {
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            double bound = 1 / Math.Sqrt(inputs);
            nn.init.uniform_(bias, -bound, bound);
        }
        linear.weight = new TorchSharp.Modules.Parameter(weight);
        linear.bias = new TorchSharp.Modules.Parameter(bias);
    }
}
