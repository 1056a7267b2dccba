using Classifier.Core.Data;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's MobileNets, built by the TorchVision package with PyTorch's module names. The head is the whole
/// <c>classifier</c> (v2: dropout + linear; v3: linear + hardswish + dropout + linear), as timm and torchvision treat it.
/// </summary>
internal static class TorchVisionMobileNet
{
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
        Construct = (classes, _) => ContiguousInput.Require(create(classes)),
        MinimumImageSize = 32,
        Preprocessing = ImageNetNormalization.For,
        PretrainedResize = ResizeMode.Crop,
        Head = "classifier",
        ClassifierLayer = classifier,
        // ONNX Runtime's fp32 depthwise convolutions beat libtorch's, in bf16 too (docs/performance.md).
        Bf16Inference = Inference.InferenceEngine.Onnx,
    };

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
