using System.Reflection;
using Classifier.Core.Data;
using Classifier.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's ResNets, built by the TorchVision package: the same modules in the same order as PyTorch's
/// <c>torchvision.models.resnetNN</c>, so their state dicts have the same keys and a torchvision file loads as it is.
/// </summary>
internal static class TorchVisionResNet
{
    // TorchVision's block types are private nested classes: recognised by exact type, read through their children.
    private static readonly Type? BasicBlock = typeof(ResNet).GetNestedType("BasicBlock", BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? Bottleneck = typeof(ResNet).GetNestedType("Bottleneck", BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>
    /// A zoo entry for a ResNet. Stride-32 network with global average pooling: any side from 32 px works (at 32 px
    /// the last stage is 1 x 1).
    /// </summary>
    public static NetworkSpec Entry(string name, string description, Func<int, nn.Module<Tensor, Tensor>> create) => new()
    {
        TorchVisionWeights = ImageNetWeights(name),
        Name = name,
        Description = description,
        Construct = (classes, _) => StagedInference.Register(InputLayout.Register(create(classes))),
        MinimumImageSize = 32,
        Preprocessing = ImageNetNormalization.For,
        PretrainedResize = ResizeMode.Crop,
        Head = "fc",
        ClassifierLayer = "fc",
        OnnxForward = OnnxForward,
        TorchVisionModel = TorchVisionModel,
    };

    /// <summary>
    /// ResNet.forward (TorchSharp / TorchVision 0.107) in ONNX: maxpool(relu(bn1(conv1(x)))), layer1..4,
    /// fc(flatten(avgpool(x))); its BasicBlock and Bottleneck as <see cref="ResidualBlock"/>.
    /// </summary>
    public static string? OnnxForward(nn.Module module, string path, string input, IOnnxWriter onnx)
    {
        var type = module.GetType();
        if (module is ResNet)
        {
            var x = input;
            foreach (var name in new[] { "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "fc" })
                x = onnx.Child(module, path, name, x);
            return x;
        }
        if (type == BasicBlock) return ResidualBlock(module, path, input, ["conv1", "bn1", "relu1", "conv2", "bn2"], onnx);
        if (type == Bottleneck) return ResidualBlock(module, path, input, ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3"], onnx);
        return null;
    }

    /// <summary>
    /// BasicBlock / Bottleneck.forward in ONNX: the main path (<paramref name="mainPath"/>: convs, norms and ReLUs in
    /// order, without the last ReLU), plus the input - through <c>downsample</c> when there is one - then ReLU.
    /// </summary>
    public static string ResidualBlock(nn.Module block, string path, string input, string[] mainPath, IOnnxWriter onnx)
    {
        var x = input;
        foreach (var name in mainPath) x = onnx.Child(block, path, name, x);
        var identity = block.named_children().Any(c => c.name == "downsample") ? onnx.Child(block, path, "downsample", input) : input;
        var sum = onnx.Node("Add", path, "add", x, identity);
        return onnx.Node("Relu", path, "relu", sum);
    }

    /// <summary>
    /// The torchvision call that builds <paramref name="network"/>'s module tree, read from its block type and blocks per
    /// stage: <c>torchvision.models.resnet18(num_classes=3)</c>, or for stages torchvision has no function for
    /// <c>torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=3)</c>.
    /// </summary>
    public static string? TorchVisionModel(nn.Module network, int classes)
    {
        if (network is not ResNet) return null;
        var children = network.named_children().ToDictionary(c => c.name, c => c.module);
        var stages = Enumerable.Range(1, 4).Select(i => children.TryGetValue($"layer{i}", out var stage) ? stage.named_children().Count() : 0).ToArray();
        var firstBlock = children["layer1"].named_children().First().module;
        var blockChildren = firstBlock.named_children().ToDictionary(c => c.name, c => c.module);
        // ResNeXt and wide ResNets (grouped or wider bottlenecks) are not among the zoo's networks; no guess for them.
        if (blockChildren.TryGetValue("conv2", out var conv2) && conv2 is Conv2d { groups: not 1 })
            return null;
        // resnet18-cntk builds its blocks with CntkBasicBlock, which computes and names its weights as BasicBlock does.
        string block = firstBlock is CntkBasicBlock ? "BasicBlock" : firstBlock.GetType().Name;
        if (block == "Bottleneck" && (blockChildren["conv1"] as Conv2d)?.out_channels != 64)
            return null;
        string layers = string.Join(", ", stages);
        string? name = (block, layers) switch
        {
            ("BasicBlock", "2, 2, 2, 2") => "resnet18",
            ("BasicBlock", "3, 4, 6, 3") => "resnet34",
            ("Bottleneck", "3, 4, 6, 3") => "resnet50",
            ("Bottleneck", "3, 4, 23, 3") => "resnet101",
            ("Bottleneck", "3, 8, 36, 3") => "resnet152",
            _ => null,
        };
        if (block is not ("BasicBlock" or "Bottleneck")) return null;
        return name is not null
            ? $"torchvision.models.{name}(num_classes={classes})"
            : $"torchvision.models.resnet.ResNet(torchvision.models.resnet.{block}, [{layers}], num_classes={classes})";
    }

    /// <summary>
    /// torchvision's ImageNet weights of the ResNets (<c>torchvision/models/resnet.py</c>, <c>ResNetNN_Weights</c>): URL,
    /// ImageNet-1K acc@1 / acc@5 and evaluation resize side; crop 224 and bilinear for all. The DEFAULT comes first.
    /// </summary>
    private static IReadOnlyList<TorchVisionWeights> ImageNetWeights(string name) => name switch
    {
        "resnet18" => [TorchVisionWeights.ImageNet(name, 1, "https://download.pytorch.org/models/resnet18-f37072fd.pth", 69.758, 89.078, isDefault: true)],
        "resnet34" => [TorchVisionWeights.ImageNet(name, 1, "https://download.pytorch.org/models/resnet34-b627a593.pth", 73.314, 91.420, isDefault: true)],
        "resnet50" =>
        [
            TorchVisionWeights.ImageNet(name, 2, "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", 80.858, 95.434, resizeSize: 232, isDefault: true),
            TorchVisionWeights.ImageNet(name, 1, "https://download.pytorch.org/models/resnet50-0676ba61.pth", 76.130, 92.862),
        ],
        _ => [],
    };
}
