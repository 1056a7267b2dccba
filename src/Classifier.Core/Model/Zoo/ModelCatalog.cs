using Classifier.Core.Data;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>One line of <c>classify models</c>.</summary>
/// <param name="Name">Zoo name (<c>--model</c>).</param>
/// <param name="Description">What it is.</param>
/// <param name="Parameters">Parameters when built for <c>Classes</c> classes.</param>
/// <param name="Classes">Class count the parameters were counted at.</param>
/// <param name="DefaultImageSize">Input side without <c>--image-size</c>, px.</param>
/// <param name="AcceptedSizes">Input sides accepted, in words.</param>
/// <param name="OfflineWeights">Names accepted by <c>--weights</c> besides a file (empty: files only).</param>
/// <param name="Head">Module trained alone under <c>--freeze backbone</c>, or null.</param>
/// <param name="Preprocessing">The input the network expects at its default size.</param>
/// <param name="TorchVisionWeights">torchvision's published weights for it, fetched through PyTorch's cache.</param>
public sealed record ModelListing(string Name, string Description, long Parameters, int Classes, int DefaultImageSize,
    string AcceptedSizes, IReadOnlyList<string> OfflineWeights, string? Head, Preprocessing Preprocessing,
    IReadOnlyList<TorchVisionWeights> TorchVisionWeights);

/// <summary>The facts <c>classify models</c> lists, for every zoo entry.</summary>
public static class ModelCatalog
{
    /// <summary>Class count at which parameters are counted: ImageNet's, as torchvision and timm list them.</summary>
    public const int ListedClasses = 1000;

    /// <summary>Every architecture, built once (on the CPU, without data) to count its parameters.</summary>
    public static IReadOnlyList<ModelListing> List()
    {
        TorchRuntime.Initialize();
        var result = new List<ModelListing>();
        foreach (var spec in NetworkRegistry.All)
        {
            long parameters;
            using (var network = spec.Create(ListedClasses, spec.DefaultImageSize))
                parameters = network.parameters().Sum(p => p.numel());
            result.Add(new ModelListing(spec.Name, spec.Description, parameters, ListedClasses, spec.DefaultImageSize,
                spec.AcceptedSizes, spec.OfflineWeights.Keys.Order().ToList(), spec.Head, spec.Preprocessing(spec.DefaultImageSize),
                PretrainedWeights.Published(spec)));
        }
        return result;
    }

    /// <summary>The preprocessing in a few words: filter, channel order, scale, mean and std.</summary>
    public static string Describe(Preprocessing p)
    {
        static string Triple(float[] v) => string.Join("/", v.Select(x => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        string scale = p.Scale == 1f / 255f ? "[0, 1]"
            : p.Scale == 1f ? "[0, 255]"
            : $"x{p.Scale.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}";
        string norm = p.IsUnnormalized ? "" : $", mean {Triple(p.Mean)}, std {Triple(p.Std)}";
        return $"{EnumValues.Name(p.Interpolation)}, {p.ChannelOrder.ToString().ToUpperInvariant()} {scale}{norm}";
    }
}
