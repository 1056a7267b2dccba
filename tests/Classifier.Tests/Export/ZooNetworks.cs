using System.Reflection;
using Classifier.Core.Model.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Tests.Export;

/// <summary>
/// Every zoo network (<see cref="NetworkRegistry.All"/>), built through the registry as training builds it, with weights
/// and batch-norm statistics made non-trivial so that an export that mishandles any of them shows; and
/// <see cref="ResNet2223"/>, a ResNet with torchvision's own BasicBlock in stages no zoo entry has.
/// </summary>
internal static class ZooNetworks
{
    /// <summary>A ResNet [2, 2, 2, 3] of TorchVision's own (private) BasicBlock, as a network built by reflection would have.</summary>
    public const string ResNet2223 = "resnet-2223";

    /// <summary>Every zoo network's name, for a theory that checks each.</summary>
    public static TheoryData<string> All => [.. NetworkRegistry.Names];

    /// <summary>The architecture for <paramref name="classes"/> classes at <paramref name="imageSize"/> px, seeded, randomised, in eval mode.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int classes, int seed = 3, int imageSize = 64)
    {
        torch.manual_seed(seed);
        var network = architecture == ResNet2223
            ? new ResNet("ResNet", BasicBlock, 1, [2, 2, 2, 3], classes)
            : NetworkRegistry.Get(architecture).Create(classes, imageSize);
        Randomise(network, imageSize);
        network.eval();
        return network;
    }

    /// <summary>
    /// Batch-norm layers with scales, shifts and running statistics away from their initial 1/0/0/1, and a last
    /// linear layer large enough that the logits differ by whole units (freshly initialised heads give near-zero logits).
    /// </summary>
    private static void Randomise(nn.Module<Tensor, Tensor> network, int imageSize)
    {
        using var noGrad = torch.no_grad();
        Linear? last = null;
        foreach (var (_, module) in network.named_modules())
        {
            switch (module)
            {
                case BatchNorm2d norm:
                    norm.weight.uniform_(0.8, 1.2);
                    norm.bias!.normal_(0, 0.1);
                    norm.running_mean!.normal_(0, 0.1);
                    norm.running_var!.uniform_(0.8, 1.2);
                    break;
                case Linear linear:
                    last = linear;
                    break;
            }
        }
        network.eval();
        using var scope = torch.NewDisposeScope();
        var spread = network.call(torch.rand(4, 3, imageSize, imageSize)).std().item<float>();
        last!.weight.mul_(3 / spread);
        last.bias!.mul_(3 / spread);
    }

    private static nn.Module<Tensor, Tensor> BasicBlock(int inPlanes, int planes, int stride, nn.Module<Tensor, Tensor>? downsample,
        int groups, int baseWidth, int dilation, Func<int, nn.Module<Tensor, Tensor>>? normLayer)
    {
        // TorchVision's BasicBlock is private; ResNet's public constructor takes any block factory.
        var type = typeof(ResNet).GetNestedType("BasicBlock", BindingFlags.NonPublic)!;
        return (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance,
            null, [inPlanes, planes, stride, downsample, groups, baseWidth, dilation, normLayer], null)!;
    }
}
