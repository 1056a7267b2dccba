using Classifier.Core.Data;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// torchvision's ResNets, built by the TorchVision package: the same modules in the same order as PyTorch's
/// <c>torchvision.models.resnetNN</c>, so their state dicts have the same keys and a torchvision file loads as it is.
/// </summary>
internal static class TorchVisionResNet
{
    /// <summary>
    /// A zoo entry for a ResNet. Stride-32 network with global average pooling: any side from 32 px works (at 32 px
    /// the last stage is 1 x 1).
    /// </summary>
    public static NetworkSpec Entry(string name, string description, Func<int, nn.Module<Tensor, Tensor>> create) => new()
    {
        TorchVisionWeights = ImageNetWeights(name),
        Name = name,
        Description = description,
        Construct = (classes, _) => StagedInference.Register(ContiguousInput.Require(create(classes))),
        MinimumImageSize = 32,
        Preprocessing = ImageNetNormalization.For,
        PretrainedResize = ResizeMode.Crop,
        Head = "fc",
        ClassifierLayer = "fc",
    };

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
