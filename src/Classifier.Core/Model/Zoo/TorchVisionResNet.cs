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
        Name = name,
        Description = description,
        Construct = (classes, _) => StagedInference.Register(ContiguousInput.Require(create(classes))),
        MinimumImageSize = 32,
        Preprocessing = ImageNetNormalization.For,
        PretrainedResize = ResizeMode.Crop,
        Head = "fc",
        ClassifierLayer = "fc",
    };
}
