using System.Text.Json.Serialization;
using Classifier.Core.Data;

namespace Classifier.Core.Model;

/// <summary>
/// Everything needed to use a model besides its weights; stored as JSON inside the model file so that
/// <c>eval</c> and <c>predict</c> need nothing else.
/// </summary>
/// <param name="Architecture">Network name; "seed-cnn".</param>
/// <param name="ClassNames">Class names in index order.</param>
/// <param name="Preprocessing">How files become network input.</param>
/// <param name="Epoch">Training epoch (1-based) whose weights these are.</param>
/// <param name="Metrics">Metrics of that epoch (history column name to value).</param>
/// <param name="ToolVersion">Version of classify that wrote the file.</param>
/// <param name="TorchSharpVersion">TorchSharp version that wrote the file.</param>
/// <param name="CreatedUtc">When the file was written.</param>
public sealed record ModelInfo(
    string Architecture,
    IReadOnlyList<string> ClassNames,
    Preprocessing Preprocessing,
    int Epoch,
    IReadOnlyDictionary<string, double> Metrics,
    string ToolVersion,
    string TorchSharpVersion,
    DateTime CreatedUtc)
{
    /// <summary>The only architecture so far.</summary>
    public const string KerasRecipeCnnArchitecture = "seed-cnn";

    /// <summary>
    /// The test-time augmentation training validated with, which <c>eval</c> and <c>predict</c> use by default;
    /// absent in files written before it existed, which read as <see cref="TestTimeAugmentation.None"/>.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TestTimeAugmentation>))]
    public TestTimeAugmentation TestTimeAugmentation { get; init; }
}
