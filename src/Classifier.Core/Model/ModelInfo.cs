using System.Text.Json.Serialization;
using Classifier.Core.Data;

namespace Classifier.Core.Model;

/// <summary>
/// Everything needed to use a model besides its weights; stored as JSON inside the model file so that
/// <c>eval</c> and <c>predict</c> need nothing else.
/// </summary>
/// <param name="Architecture">Network name in the model zoo (<see cref="Zoo.NetworkRegistry"/>), e.g. "seed-cnn" or "resnet18".</param>
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
    /// <summary>
    /// What the architecture's builder is given (class count, input side); absent in files written before the model
    /// zoo, which read it from <see cref="ClassNames"/> and <see cref="Preprocessing"/>.
    /// </summary>
    public NetworkHyperparameters? Hyperparameters { get; init; }

    /// <summary>
    /// Where training's starting weights came from: null for random initialisation, "imagenet" for the built-in
    /// pretrained weights, torchvision's weight set ("imagenet1k-v1"), or the file name given to <c>--weights</c>.
    /// </summary>
    public string? Weights { get; init; }

    /// <summary>
    /// The file training's starting weights were read from (torchvision's <c>resnet18-f37072fd.pth</c>, or the one given
    /// to <c>--weights</c>); null for random or built-in weights, and in files written before it was recorded.
    /// </summary>
    public string? WeightsFile { get; init; }

    /// <summary>SHA-256 of <see cref="WeightsFile"/>'s bytes, lowercase hex; null when that is null.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>The builder's arguments: <see cref="Hyperparameters"/>, or what older files imply.</summary>
    [JsonIgnore]
    public NetworkHyperparameters EffectiveHyperparameters =>
        Hyperparameters ?? new NetworkHyperparameters(ClassNames.Count, Preprocessing.ImageSize);

    /// <summary>
    /// The test-time augmentation training validated with, which <c>eval</c> and <c>predict</c> use by default;
    /// absent in files written before it existed, which read as <see cref="TestTimeAugmentation.None"/>.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TestTimeAugmentation>))]
    public TestTimeAugmentation TestTimeAugmentation { get; init; }

    /// <summary>
    /// The arithmetic training ran in (<c>--precision</c>), which <c>eval</c> and <c>predict</c> use by default where the
    /// CPU computes bf16 natively; the weights are fp32 either way. Files written before it existed read as fp32.
    /// </summary>
    [JsonConverter(typeof(Torch.PrecisionJsonConverter))]
    public Torch.Precision Precision { get; init; } = Torch.Precision.Fp32;
}
