using Classifier.Core.Data;

namespace Classifier.Core.Prediction;

/// <summary>How <c>classify predict</c> runs.</summary>
public sealed record PredictOptions
{
    /// <summary>A model file, or a run folder (its best.cls is used).</summary>
    public required string Model { get; init; }

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>How many of the most probable classes each row lists.</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Intra-op threads for libtorch; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Largest width x height of an image file that is decoded.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Stop at the first file that cannot be read instead of giving it an error row (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>Test-time augmentation (<c>--tta</c>); null for the one the model file records.</summary>
    public Model.TestTimeAugmentation? TestTimeAugmentation { get; init; }

    /// <summary>Where the network runs (<c>--device</c>).</summary>
    public Torch.ComputeDevice Device { get; init; } = Torch.ComputeDevice.Auto;

    /// <summary>What runs the network (<c>--engine</c>); <see cref="Inference.InferenceEngine.Auto"/> by default.</summary>
    public Inference.InferenceEngine Engine { get; init; } = Inference.InferenceEngine.Auto;

    /// <summary>
    /// libtorch's arithmetic (<c>--precision</c>); auto is the precision the model was trained in where the CPU has native
    /// bf16, else fp32 (<see cref="Inference.InferenceNetwork.Open"/>).
    /// </summary>
    public Torch.Precision Precision { get; init; } = Torch.Precision.Auto;

    /// <summary>Classify only this shard of the input files (<c>--shard K/N</c>); null for all of them.</summary>
    public Sharding.Shard? Shard { get; init; }

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (TopK < 1) throw new ClassifierException($"--top-k {TopK}: give 1 or more.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
    }
}
