namespace Classifier.Core.Model.Zoo;

/// <summary>
/// What <c>--weights</c> names, resolved against a network (<see cref="PretrainedWeights.Resolve"/>), and once
/// prepared (<see cref="PretrainedWeights.Prepare"/>) the local file and its SHA-256, which the model file records.
/// </summary>
public sealed record StartingWeights
{
    /// <summary>Where the weights come from.</summary>
    public required StartingWeightsKind Kind { get; init; }

    /// <summary>
    /// The name the model file records (<see cref="ModelInfo.Weights"/>): <c>imagenet</c> for built-in weights,
    /// torchvision's set (<c>imagenet1k-v2</c>), or the file's name.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The torchvision weight set, for <see cref="StartingWeightsKind.TorchVision"/>.</summary>
    public TorchVisionWeights? TorchVision { get; init; }

    /// <summary>The state dict file: the one given, or the cache's copy once fetched; null for built-in weights and recorded ones.</summary>
    public string? Path { get; init; }

    /// <summary>SHA-256 of <see cref="Path"/>'s bytes (lowercase hex), once prepared.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The file's name as the model file records it (<see cref="ModelInfo.WeightsFile"/>), or null for built-in weights.</summary>
    public string? FileName { get; init; }

    /// <summary>What a model file says its training started from, or null for random weights (for a resumed run).</summary>
    public static StartingWeights? Recorded(ModelInfo info) => info.Weights is null
        ? null
        : new StartingWeights
        {
            Kind = info.WeightsFile is null ? StartingWeightsKind.BuiltIn
                : info.WeightsFile == info.Weights ? StartingWeightsKind.File
                : StartingWeightsKind.TorchVision,
            Name = info.Weights,
            FileName = info.WeightsFile,
            Sha256 = info.WeightsSha256,
        };
}
