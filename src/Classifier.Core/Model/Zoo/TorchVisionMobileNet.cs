using System.Reflection;
using Classifier.Core.Data;
using Classifier.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's MobileNets, built by the TorchVision package with PyTorch's module names. The head is the whole
/// <c>classifier</c> (v2: dropout + linear; v3: linear + hardswish + dropout + linear), as timm and torchvision treat it.
/// </summary>
internal static class TorchVisionMobileNet
{
    // TorchVision's inverted residual blocks are private nested classes: recognised by exact type.
    private static readonly Type? V2Block = typeof(MobileNetV2).GetNestedType("InvertedResidual", BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? V3Block = typeof(MobileNetV3).GetNestedType("InvertedResidual", BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>mobilenet_v2: the package builds it for any class count.</summary>
    public static NetworkSpec V2 { get; } = Entry("mobilenet_v2",
        "torchvision MobileNetV2 (3.5 M parameters at 1,000 classes); fast on CPU.",
        classes => torchvision.models.mobilenet_v2(num_classes: classes), "classifier.1",
        // torchvision/models/mobilenetv2.py, MobileNet_V2_Weights: DEFAULT = IMAGENET1K_V2.
        [
            TorchVisionWeights.ImageNet("mobilenet_v2", 2, "https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth", 72.154, 90.822, resizeSize: 232, isDefault: true),
            TorchVisionWeights.ImageNet("mobilenet_v2", 1, "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth", 71.878, 90.286),
        ]);

    /// <summary>mobilenet_v3_small.</summary>
    public static NetworkSpec V3Small { get; } = Entry("mobilenet_v3_small",
        "torchvision MobileNetV3-Small (2.5 M parameters at 1,000 classes); the smallest torchvision network here.",
        classes => V3(torchvision.models.mobilenet_v3_small(), classes), "classifier.3",
        // torchvision/models/mobilenetv3.py, MobileNet_V3_Small_Weights: DEFAULT = IMAGENET1K_V1.
        [TorchVisionWeights.ImageNet("mobilenet_v3_small", 1, "https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth", 67.668, 87.402, isDefault: true)]);

    /// <summary>mobilenet_v3_large.</summary>
    public static NetworkSpec V3Large { get; } = Entry("mobilenet_v3_large",
        "torchvision MobileNetV3-Large (5.5 M parameters at 1,000 classes).",
        classes => V3(torchvision.models.mobilenet_v3_large(), classes), "classifier.3",
        // torchvision/models/mobilenetv3.py, MobileNet_V3_Large_Weights: DEFAULT = IMAGENET1K_V2.
        [
            TorchVisionWeights.ImageNet("mobilenet_v3_large", 2, "https://download.pytorch.org/models/mobilenet_v3_large-5c1a4163.pth", 75.274, 92.566, resizeSize: 232, isDefault: true),
            TorchVisionWeights.ImageNet("mobilenet_v3_large", 1, "https://download.pytorch.org/models/mobilenet_v3_large-8738ca79.pth", 74.042, 91.340),
        ]);

    private static NetworkSpec Entry(string name, string description, Func<int, nn.Module<Tensor, Tensor>> create, string classifier,
        IReadOnlyList<TorchVisionWeights> weights) => new()
    {
        TorchVisionWeights = weights,
        Name = name,
        Description = description,
        Construct = (classes, _) => InputLayout.Register(create(classes)),
        MinimumImageSize = 32,
        Preprocessing = ImageNetNormalization.For,
        PretrainedResize = ResizeMode.Crop,
        Head = "classifier",
        ClassifierLayer = classifier,
        OnnxForward = OnnxForward,
        TorchVisionModel = TorchVisionModel,
        PyTorchAdjustment = PyTorchAdjustment,
    };

    /// <summary>
    /// MobileNetV2 / V3 and their blocks, from their forward code in TorchSharp / TorchVision 0.107: the network is
    /// features, global average pooling (V2 calls adaptive_avg_pool2d itself, V3 has an avgpool module), flatten(1),
    /// classifier; an inverted residual block is its Sequential, plus the input when use_res_connect; squeeze-and-
    /// excitation is x * scale_activation(fc2(activation(fc1(avgpool(x))))).
    /// </summary>
    private static string? OnnxForward(nn.Module module, string path, string input, IOnnxWriter onnx)
    {
        var type = module.GetType();
        return module switch
        {
            MobileNetV2 => Network(module, path, input, pool: null, onnx),
            MobileNetV3 => Network(module, path, input, pool: "avgpool", onnx),
            torchvision.SqueezeExcitation => SqueezeExcitation(module, path, input, onnx),
            _ when type == V2Block => InvertedResidual(module, path, input, "conv", onnx),
            _ when type == V3Block => InvertedResidual(module, path, input, "block", onnx),
            _ => null,
        };
    }

    private static string Network(nn.Module network, string path, string input, string? pool, IOnnxWriter onnx)
    {
        var x = onnx.Child(network, path, "features", input);
        x = pool is null ? onnx.GlobalAveragePool(path, "avgpool", x) : onnx.Child(network, path, pool, x);
        x = onnx.Flatten(path, "flatten", x);
        return onnx.Child(network, path, "classifier", x);
    }

    private static string InvertedResidual(nn.Module block, string path, string input, string body, IOnnxWriter onnx)
    {
        var field = block.GetType().GetField("use_res_connect", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field?.GetValue(block) is not bool residual)
            throw onnx.Unsupported(path, block, "its residual flag could not be read in this TorchVision version");
        var x = onnx.Child(block, path, body, input);
        return residual ? onnx.Node("Add", path, "add", x, input) : x;
    }

    private static string SqueezeExcitation(nn.Module module, string path, string input, IOnnxWriter onnx)
    {
        var scale = input;
        foreach (var name in new[] { "avgpool", "fc1", "activation", "fc2", "scale_activation" })
            scale = onnx.Child(module, path, name, scale);
        return onnx.Node("Mul", path, "mul", scale, input);
    }

    /// <summary>The torchvision call that builds the network, told apart by the width of the classifier's input.</summary>
    private static string? TorchVisionModel(nn.Module network, int classes) => network switch
    {
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
    /// TorchVision (.NET) 0.107's MobileNetV3 squeeze-and-excitation layers use ReLU6 after their first 1x1 conv where
    /// PyTorch's use ReLU; the two agree only while that conv's outputs stay below 6. This line makes them agree.
    /// </summary>
    private static string? PyTorchAdjustment(nn.Module network) => network is MobileNetV3
        ? "for m in model.modules():\n    if isinstance(m, torchvision.ops.SqueezeExcitation): m.activation = torch.nn.ReLU6()"
        : null;

    private static Linear? Linear(nn.Module network, string path) =>
        network.named_modules().FirstOrDefault(m => m.name == path).module as Linear;

    /// <summary>
    /// The package's v3 builders take no class count (they always make 1,000 outputs), so the last layer is given
    /// <paramref name="classes"/> outputs here, initialised as torchvision initialises it (normal(0, 0.01), zero bias).
    /// </summary>
    private static nn.Module<Tensor, Tensor> V3(nn.Module<Tensor, Tensor> network, int classes)
    {
        if (classes != 1000) NetworkHead.Resize(network, "classifier.3", classes, torchVisionMobileNetInit: true);
        return network;
    }
}
