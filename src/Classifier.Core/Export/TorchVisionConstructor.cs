using Classifier.Core.Model.Pretrained;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// The PyTorch torchvision call that builds the same module tree as a TorchSharp network, read from the network
/// itself (block type and count per stage, widths), so an exported state dict names the constructor it loads into
/// strictly, e.g. <c>torchvision.models.resnet18(num_classes=3)</c> or, for stages torchvision has no function for,
/// <c>torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=3)</c>.
/// </summary>
internal static class TorchVisionConstructor
{
    /// <summary>The Python expression, or null when the network is not one torchvision builds (the seed CNN).</summary>
    public static string? For(nn.Module network, int classes) => network switch
    {
        ResNet => ResNetCall(network, classes),
        MobileNetV2 when Linear(network, "classifier.1")?.in_features == 1280 => $"torchvision.models.mobilenet_v2(num_classes={classes})",
        MobileNetV3 => Linear(network, "classifier.0")?.in_features switch
        {
            960 => $"torchvision.models.mobilenet_v3_large(num_classes={classes})",
            576 => $"torchvision.models.mobilenet_v3_small(num_classes={classes})",
            _ => null,
        },
        _ => null,
    };

    /// <summary>
    /// Where a network computes differently from its torchvision counterpart, the PyTorch line that makes them agree.
    /// TorchVision (.NET) 0.107's MobileNetV3 squeeze-and-excitation layers use ReLU6 after their first 1x1 conv where
    /// PyTorch's use ReLU; the two agree only while that conv's outputs stay below 6.
    /// </summary>
    public static string? Adjustment(nn.Module network) => network is MobileNetV3
        ? "for m in model.modules():\n    if isinstance(m, torchvision.ops.SqueezeExcitation): m.activation = torch.nn.ReLU6()"
        : null;

    private static string? ResNetCall(nn.Module network, int classes)
    {
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

    private static Linear? Linear(nn.Module network, string path) =>
        network.named_modules().FirstOrDefault(m => m.name == path).module as Linear;
}
