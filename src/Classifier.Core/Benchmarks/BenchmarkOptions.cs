using Classifier.Core.Data;

namespace Classifier.Core.Benchmarks;

/// <summary>What <c>classify benchmark</c> measures.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Network to measure, a model-zoo name.</summary>
    public string Model { get; init; } = Classifier.Core.Model.Zoo.NetworkRegistry.DefaultName;

    /// <summary>Network input sizes to measure, px.</summary>
    public IReadOnlyList<int> ImageSizes { get; init; } = [224, 28];

    /// <summary>Training images to generate per size; null picks a size-dependent default (512 at 224 px, 8,192 at 28 px).</summary>
    public int? Images { get; init; }

    /// <summary>Training batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Evaluation batch size; the default is <c>classify eval</c>'s.</summary>
    public int EvaluationBatchSize { get; init; } = Evaluation.EvalOptions.DefaultBatchSize;

    /// <summary>libtorch threads; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Cache mode for the training-from-files rows.</summary>
    public CacheMode Cache { get; init; } = CacheMode.Auto;

    /// <summary>Seconds each synthetic measurement runs for (after warm-up).</summary>
    public double SecondsPerMeasurement { get; init; } = 5;

    /// <summary>What runs the evaluation and inference rows (<c>--engine</c>), as in eval and predict.</summary>
    public Inference.InferenceEngine Engine { get; init; } = Inference.InferenceEngine.Auto;

    /// <summary>
    /// Precision of the training and inference rows (<c>--precision</c>); auto measures fp32 and, where the CPU has native
    /// bf16, bf16 beside it (<see cref="BenchmarkRunner.Precisions"/>).
    /// </summary>
    public Torch.Precision Precision { get; init; } = Torch.Precision.Auto;

    /// <summary>Images to generate for <paramref name="imageSize"/>.</summary>
    public int ImagesFor(int imageSize) => Images ?? Math.Clamp((1 << 22) / (imageSize * imageSize) * 2, 512, 8192);

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        var network = Classifier.Core.Model.Zoo.NetworkRegistry.Get(Model);
        foreach (var size in ImageSizes)
            if (!network.Accepts(size))
                throw new ClassifierException($"--image-size {size}: {network.Name} takes {network.AcceptedSizes}.");
        if (Images is < 16) throw new ClassifierException($"--images {Images}: give at least 16.");
        if (BatchSize < 1 || EvaluationBatchSize < 1) throw new ClassifierException("--batch-size: give at least 1.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
    }
}
