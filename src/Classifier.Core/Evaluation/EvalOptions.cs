using Classifier.Core.Data;

namespace Classifier.Core.Evaluation;

/// <summary>What to evaluate: a model (file or run folder) on a data folder laid out like the training data.</summary>
public sealed record EvalOptions
{
    /// <summary>A model file, or a run folder (its best.cls is used).</summary>
    public required string Model { get; init; }

    /// <summary>Data folder with one sub-folder per class; class names must be among the model's classes.</summary>
    public required string DataDir { get; init; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Intra-op threads for libtorch; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Largest width x height of an image file that is decoded.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Stop at the first image that cannot be read instead of skipping it (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
    }
}
