using System.Text.RegularExpressions;
using Classifier.Core.Data;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// One set of ImageNet weights torchvision publishes for a network (an entry of its <c>*_Weights</c> enum, e.g.
/// <c>ResNet50_Weights.IMAGENET1K_V2</c>): where the file is, what it scores and the evaluation transform it was
/// measured with (<c>ImageClassification(crop_size, resize_size, interpolation, mean, std)</c>).
/// </summary>
/// <param name="Network">Zoo name of the network the weights belong to.</param>
/// <param name="Name">Name on the command line: <c>imagenet1k-v1</c> or <c>imagenet1k-v2</c>.</param>
/// <param name="Url">torchvision's download URL; its last segment is the file name, which carries a SHA-256 prefix.</param>
/// <param name="Top1">ImageNet-1K top-1 accuracy as torchvision lists it, %.</param>
/// <param name="Top5">ImageNet-1K top-5 accuracy, %.</param>
/// <param name="ResizeSize">Shorter side the evaluation transform resizes to before the crop, px.</param>
/// <param name="CropSize">Side of the evaluation transform's centre crop, px.</param>
/// <param name="Interpolation">Resize filter of the evaluation transform.</param>
/// <param name="IsDefault">torchvision's <c>DEFAULT</c> for the network, which <c>--weights imagenet</c> takes.</param>
public sealed partial record TorchVisionWeights(string Network, string Name, string Url, double Top1, double Top5,
    int ResizeSize, int CropSize, Interpolation Interpolation, bool IsDefault)
{
    /// <summary>torchvision's <c>ImageClassification</c> resize side when a weight set names none, px.</summary>
    public const int DefaultResizeSize = 256;

    /// <summary>
    /// An ImageNet-1K weight set as torchvision declares it: crop 224, bilinear, ImageNet mean/std;
    /// <paramref name="version"/> 1 or 2.
    /// </summary>
    public static TorchVisionWeights ImageNet(string network, int version, string url, double top1, double top5,
        int resizeSize = DefaultResizeSize, bool isDefault = false) =>
        new(network, $"imagenet1k-v{version}", url, top1, top5, resizeSize, 224, Interpolation.Bilinear, isDefault);

    /// <summary>The file's name in the cache: the URL's last segment (as torch.hub names it).</summary>
    public string FileName => Url[(Url.LastIndexOf('/') + 1)..];

    /// <summary>
    /// The SHA-256 prefix the file name carries: what torch.hub's <c>HASH_REGEX</c> (<c>-([a-f0-9]*)\.</c>) finds
    /// in it, or empty when it carries none.
    /// </summary>
    public string HashPrefix => HashPrefixOf(FileName);

    /// <summary>The enum member's name in torchvision (<c>IMAGENET1K_V1</c>).</summary>
    public string TorchVisionName => Name.ToUpperInvariant().Replace('-', '_');

    /// <summary>Per-channel mean of the input, RGB on the [0, 1] scale.</summary>
    public IReadOnlyList<float> Mean => ImageNetNormalization.Mean;

    /// <summary>Per-channel standard deviation of the input, RGB on the [0, 1] scale.</summary>
    public IReadOnlyList<float> Std => ImageNetNormalization.Std;

    /// <summary>What these weights are, for messages: "torchvision's IMAGENET1K_V1 weights of resnet18 (resnet18-f37072fd.pth)".</summary>
    public string Describe() => $"torchvision's {TorchVisionName} weights of {Network} ({FileName})";

    /// <summary>The SHA-256 prefix in <paramref name="fileName"/> as torch.hub's <c>check_hash</c> reads it.</summary>
    public static string HashPrefixOf(string fileName) => HashInName().Match(fileName) is { Success: true } m ? m.Groups[1].Value : "";

    [GeneratedRegex(@"-([a-f0-9]*)\.")]
    private static partial Regex HashInName();
}
