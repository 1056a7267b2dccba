using Classifier.Core.Data;

namespace Classifier.Core.Model.Zoo;

/// <summary>The input torchvision's ImageNet weights expect: RGB in [0, 1], then ImageNet's channel mean and std.</summary>
public static class ImageNetNormalization
{
    /// <summary>Per-channel mean of ImageNet, RGB, on the [0, 1] scale.</summary>
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation of ImageNet, RGB, on the [0, 1] scale.</summary>
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>torchvision's preprocessing at <paramref name="imageSize"/> px (bilinear, as its transforms resize).</summary>
    public static Preprocessing For(int imageSize) =>
        new(imageSize, Interpolation.Bilinear, 1f / 255f) { Mean = [.. Mean], Std = [.. Std] };
}
