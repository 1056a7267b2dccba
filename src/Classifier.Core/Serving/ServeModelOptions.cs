using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Torch;

namespace Classifier.Core.Serving;

/// <summary>Which model <c>classify serve</c> loads and how it runs it; the same meanings as <see cref="Prediction.PredictOptions"/>.</summary>
public sealed record ServeModelOptions
{
    /// <summary>A run folder (its best.cls), a model file (.cls) or an exported ONNX file (.onnx).</summary>
    public required string Model { get; init; }

    /// <summary>Intra-op threads for libtorch and ONNX Runtime; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Largest width x height of an image that is decoded (<c>--max-pixels</c>, as predict).</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Test-time augmentation; null for the one the model file records.</summary>
    public TestTimeAugmentation? TestTimeAugmentation { get; init; }

    /// <summary>Where the network runs (<c>--device</c>); an ONNX file always runs on the CPU.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>What runs a .cls model's network (<c>--engine</c>), chosen as predict does for many images.</summary>
    public InferenceEngine Engine { get; init; } = InferenceEngine.Auto;

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
    }
}
