namespace Classifier.Core.Model.Zoo;

/// <summary>Where <c>--weights</c> takes training's starting weights from.</summary>
public enum StartingWeightsKind
{
    /// <summary>Weights that ship with classify (<c>resnet18-cntk</c>'s <c>imagenet</c>).</summary>
    BuiltIn,

    /// <summary>torchvision's published weights, from PyTorch's cache or downloaded into it.</summary>
    TorchVision,

    /// <summary>A state dict file the user gave (.pth, .pt, .safetensors).</summary>
    File,
}
