using Classifier.Core.Data;

namespace Classifier.Core.Evaluation;

/// <summary>What to evaluate: a model (file or run folder) on a data folder laid out like the training data, or on a split of its own run.</summary>
public sealed record EvalOptions
{
    /// <summary>A model file, or a run folder (its best.cls is used).</summary>
    public required string Model { get; init; }

    /// <summary>
    /// Data folder with one sub-folder per class (one is enough); class names must be among the model's classes.
    /// Null when <see cref="Split"/> is given.
    /// </summary>
    public string? DataDir { get; init; }

    /// <summary>
    /// <c>validation</c> or <c>train</c>: evaluate that split of the model's own run, exactly the images its
    /// <c>files.csv</c> records (<c>--split</c>), instead of a data folder.
    /// </summary>
    public string? Split { get; init; }

    /// <summary>The default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Intra-op threads for libtorch; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Largest width x height of an image file that is decoded.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Where the network runs (<c>--device</c>).</summary>
    public Torch.ComputeDevice Device { get; init; } = Torch.ComputeDevice.Auto;

    /// <summary>What runs the network (<c>--engine</c>); <see cref="Inference.InferenceEngine.Auto"/> by default.</summary>
    public Inference.InferenceEngine Engine { get; init; } = Inference.InferenceEngine.Auto;

    /// <summary>
    /// libtorch's arithmetic (<c>--precision</c>); auto is the precision the model was trained in where the CPU has native
    /// bf16, else fp32 (<see cref="Inference.InferenceNetwork.Open"/>).
    /// </summary>
    public Torch.Precision Precision { get; init; } = Torch.Precision.Auto;

    /// <summary>
    /// k of the top-k accuracy; null for the default: 5 when the model has more than 5 classes, otherwise none
    /// (with few classes top-k says little). 1 measures only top-1.
    /// </summary>
    public int? TopK { get; init; }

    /// <summary>The top-k to measure for a model with <paramref name="classes"/> classes (0 = none).</summary>
    public int TopKFor(int classes) => TopK switch
    {
        null => classes > DefaultTopK ? DefaultTopK : 0,
        < 2 => 0,
        var k => k.Value,
    };

    /// <summary>The default k of top-k accuracy, used when the model has more classes than this.</summary>
    public const int DefaultTopK = 5;

    /// <summary>Test-time augmentation (<c>--tta</c>); null for the one the model file records.</summary>
    public Model.TestTimeAugmentation? TestTimeAugmentation { get; init; }

    /// <summary>Stop at the first image that cannot be read instead of skipping it (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>
    /// Evaluate only this shard of the data folder's images (<c>--shard K/N</c>); null for all of them. A shard's
    /// metrics.json carries what <see cref="ShardMerge"/> needs to combine the shards exactly.
    /// </summary>
    public Sharding.Shard? Shard { get; init; }

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if ((DataDir is null) == (Split is null))
            throw new ClassifierException(Split is null
                ? "Give a data folder to evaluate on, or --split validation for the run's own held-out images."
                : $"--split {Split} evaluates the run's own images; give either it or a data folder, not both.");
        if (Split is not null and not (Runs.TrainingFiles.ValidationSplit or Runs.TrainingFiles.TrainSplit))
            throw new ClassifierException($"--split {Split}: give {Runs.TrainingFiles.ValidationSplit} or {Runs.TrainingFiles.TrainSplit}.");
        if (BatchSize < 1) throw new ClassifierException($"--batch-size {BatchSize}: give at least 1.");
        if (TopK is < 1) throw new ClassifierException($"--top-k {TopK}: give 1 or more (at most the number of classes).");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
    }
}
