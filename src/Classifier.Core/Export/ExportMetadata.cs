using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using TorchSharp;

namespace Classifier.Core.Export;

/// <summary>
/// What every exported file carries beside the weights, under the same names in all three formats, so that a
/// program reading any of them can prepare images exactly as <c>classify predict</c> does.
/// </summary>
public static class ExportMetadata
{
    /// <summary>Identifies the layout of exported files; bumped if the keys below ever change meaning.</summary>
    public const string FormatName = "classify-export-1";

    /// <summary>Readable JSON inside the files (quotes stay quotes, not \u0022); still valid JSON.</summary>
    internal static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The key/value pairs; values are plain strings (JSON text for the list and the object).
    /// <c>test_time_augmentation</c> is <c>none</c> or <c>horizontal_flip</c>: the exported graph is the network alone,
    /// so a program that should answer as <c>classify predict</c> does averages the logits of the image and its mirror
    /// image when it says <c>horizontal_flip</c>. <c>torchvision_model</c> (torchvision networks only) is the Python
    /// call that builds the network the state dict loads into strictly; <c>pytorch_adjustment</c>, when present, the
    /// Python lines that make PyTorch's network compute exactly what TorchSharp's does (run after building it).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(ModelInfo info, torch.nn.Module network)
    {
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("format", FormatName),
            new("architecture", info.Architecture),
            new("class_names", JsonSerializer.Serialize(info.ClassNames, Json)),
            new("preprocessing", PreprocessingJson(info.Preprocessing)),
            new("test_time_augmentation", EnumValues.Name(info.TestTimeAugmentation)),
            new("epoch", info.Epoch.ToString(CultureInfo.InvariantCulture)),
            new("classify_version", info.ToolVersion),
        };
        // The zoo entry that knows the network's type says how PyTorch builds it (NetworkSpec.TorchVisionModel).
        if (NetworkRegistry.All.Select(s => s.TorchVisionModel?.Invoke(network, info.ClassNames.Count)).FirstOrDefault(c => c is not null) is { } constructor)
            pairs.Add(new("torchvision_model", constructor));
        if (NetworkRegistry.All.Select(s => s.PyTorchAdjustment?.Invoke(network)).FirstOrDefault(a => a is not null) is { } adjustment)
            pairs.Add(new("pytorch_adjustment", adjustment));
        return pairs;
    }

    /// <summary>
    /// The preprocessing as a JSON object: <c>image_size</c> (px), <c>interpolation</c> (nearest or bilinear),
    /// <c>resize</c> (squash, crop or pad: how a non-square image is fitted to the square before the graph; see
    /// <see cref="ResizeMode"/>),
    /// <c>scale</c> (multiplies 0-255 values), <c>color</c> (RGB: how images are decoded), <c>channel_order</c> (RGB or
    /// BGR: the network's), <c>mean</c> and <c>std</c> (per channel in the network's order, in units after the scale)
    /// and <c>layout</c> (NCHW). Network input = (pixels in channel_order x scale - mean) / std.
    /// </summary>
    public static string PreprocessingJson(Preprocessing preprocessing)
    {
        var normalization = InputNormalization.From(preprocessing);
        return new JsonObject
        {
            ["image_size"] = preprocessing.ImageSize,
            ["interpolation"] = EnumValues.Name(preprocessing.Interpolation),
            ["resize"] = EnumValues.Name(preprocessing.Resize),
            ["scale"] = preprocessing.Scale,
            ["color"] = "RGB",
            ["channel_order"] = normalization.Bgr ? "BGR" : "RGB",
            ["mean"] = new JsonArray([.. normalization.Mean.Select(m => (JsonNode)m)]),
            ["std"] = new JsonArray([.. normalization.Std.Select(s => (JsonNode)s)]),
            ["layout"] = "NCHW",
        }.ToJsonString(Json);
    }
}
