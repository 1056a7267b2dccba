using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Data;
using Classifier.Core.Model;

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
    /// image when it says <c>horizontal_flip</c>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(ModelInfo info) =>
    [
        new("format", FormatName),
        new("architecture", info.Architecture),
        new("class_names", JsonSerializer.Serialize(info.ClassNames, Json)),
        new("preprocessing", PreprocessingJson(info.Preprocessing)),
        new("test_time_augmentation", EnumValues.Name(info.TestTimeAugmentation)),
        new("epoch", info.Epoch.ToString(CultureInfo.InvariantCulture)),
        new("classify_version", info.ToolVersion),
    ];

    /// <summary>
    /// The preprocessing as a JSON object: <c>image_size</c> (px), <c>interpolation</c> (nearest or bilinear),
    /// <c>scale</c> (multiplies 0-255 values), <c>color</c> (RGB) and <c>layout</c> (NCHW).
    /// </summary>
    public static string PreprocessingJson(Preprocessing preprocessing) => new JsonObject
    {
        ["image_size"] = preprocessing.ImageSize,
        ["interpolation"] = EnumValues.Name(preprocessing.Interpolation),
        ["scale"] = preprocessing.Scale,
        ["color"] = "RGB",
        ["layout"] = "NCHW",
    }.ToJsonString(Json);
}
