using System.Reflection;
using Classifier.Core.Model.Pretrained;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Tests.Export;

/// <summary>
/// The zoo's torchvision architectures built straight from the TorchVision package (not through the zoo's registry),
/// with weights and batch-norm statistics made non-trivial so that an export that mishandles any of them shows.
/// </summary>
internal static class TorchVisionNetworks
{
    public static readonly string[] Fast = ["resnet18", "resnet18-cntk", "mobilenet_v2", "mobilenet_v3_small"];

    public static readonly string[] Slow = ["resnet34", "resnet50", "mobilenet_v3_large", "resnet-2223"];

    /// <summary>The architecture for <paramref name="classes"/> classes, seeded, randomised, in eval mode.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int classes, int seed = 3)
    {
        torch.manual_seed(seed);
        nn.Module<Tensor, Tensor> network = architecture switch
        {
            "resnet18" => torchvision.models.resnet18(num_classes: classes),
            "resnet34" => torchvision.models.resnet34(num_classes: classes),
            "resnet50" => torchvision.models.resnet50(num_classes: classes),
            "resnet18-cntk" => CntkResNet18.Create(classes),
            // The same stages with TorchVision's own (private) BasicBlock, as a network built by reflection would have.
            "resnet-2223" => new ResNet("ResNet", BasicBlock, 1, [2, 2, 2, 3], classes),
            "mobilenet_v2" => torchvision.models.mobilenet_v2(num_classes: classes),
            "mobilenet_v3_small" or "mobilenet_v3_large" => MobileNetV3(architecture, classes),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
        };
        Randomise(network);
        network.eval();
        return network;
    }

    /// <summary>
    /// Batch-norm layers with scales, shifts and running statistics away from their initial 1/0/0/1, and a last
    /// linear layer large enough that the logits differ by whole units (freshly initialised heads give near-zero logits).
    /// </summary>
    private static void Randomise(nn.Module<Tensor, Tensor> network)
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
        var spread = network.call(torch.rand(4, 3, 64, 64)).std().item<float>();
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

    private static nn.Module<Tensor, Tensor> MobileNetV3(string architecture, int classes)
    {
        // torchvision.models.mobilenet_v3_small/large() have no num_classes in TorchSharp 0.107; the internal
        // constructor does.
        var conf = typeof(torchvision.models).GetMethod("_mobilenet_v3_conf", BindingFlags.NonPublic | BindingFlags.Static)!
            .Invoke(null, [architecture, 1.0, false, false])!;
        var fields = conf.GetType().GetFields();
        var constructor = typeof(MobileNetV3).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        return (nn.Module<Tensor, Tensor>)constructor.Invoke(
            ["MobileNetV3", fields[0].GetValue(conf), fields[1].GetValue(conf), (long)classes, null, null, 0.2]);
    }
}
