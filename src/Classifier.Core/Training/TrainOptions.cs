using System.Text.Json.Serialization;
using Classifier.Core.Data;

namespace Classifier.Core.Training;

/// <summary>
/// Everything that defines a training run. Defaults are the seed recipe (Keras' <c>flow_from_directory</c> + the
/// seed CNN + Adam). The effective options are saved as <c>options.json</c> in the run folder.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Data folder: one sub-folder per class (or train/ and val/ folders that each have them).</summary>
    public required string DataDir { get; init; }

    /// <summary>Separate validation folder with the same class sub-folders; null to split or auto-detect.</summary>
    public string? ValidationDir { get; init; }

    /// <summary>Fraction of each class held out for validation when no validation folder is used.</summary>
    public double? ValidationSplit { get; init; }

    /// <summary>Side of the square network input, in pixels.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>Resize filter.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Interpolation>))]
    public Interpolation Interpolation { get; init; } = Interpolation.Nearest;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seed for weight initialisation, dropout, shuffling and the validation split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Intra-op threads for libtorch; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Run folder; null for the next free <c>runs/train-NNN</c>.</summary>
    public string? OutputDir { get; init; }

    /// <summary>Whether decoded images are cached in memory between epochs.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<CacheMode>))]
    public CacheMode Cache { get; init; } = CacheMode.Auto;

    /// <summary>Largest width x height of an image file that is decoded.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Stop at the first image that cannot be read instead of skipping it (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>The preprocessing these options imply.</summary>
    [JsonIgnore]
    public Preprocessing Preprocessing => new(ImageSize, Interpolation, 1f / 255f);

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ClassifierException($"--epochs {Epochs}: give at least 1.");
        if (BatchSize < 1) throw new ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ClassifierException($"--learning-rate {LearningRate}: give a positive number such as 0.001.");
        if (ImageSize < Model.SeedCnn.MinimumImageSize || ImageSize > 1024)
            throw new ClassifierException(
                $"--image-size {ImageSize}: the network needs at least {Model.SeedCnn.MinimumImageSize} px (three conv 3x3 + max-pool 2x2 blocks) and this tool allows at most 1024.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
        if (ValidationSplit is { } f && f is <= 0 or >= 1)
            throw new ClassifierException($"--validation-split {f}: give a fraction between 0 and 1, e.g. 0.2.");
        if (ValidationDir is not null && ValidationSplit is not null)
            throw new ClassifierException("--val and --validation-split both given: use one way to choose validation images.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
    }
}
