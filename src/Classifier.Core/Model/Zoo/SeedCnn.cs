using Classifier.Core.Data;
using Classifier.Core.Torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>The zoo entry of <see cref="KerasRecipeCnn"/>, the default network.</summary>
internal static class SeedCnn
{
    /// <summary>The model-file and command-line name; files written before the zoo existed carry it too.</summary>
    public const string Name = "seed-cnn";

    public static NetworkSpec Spec { get; } = new()
    {
        Name = Name,
        Description = "The Keras recipe CNN (3 conv blocks, dense 512, dropout), trained from scratch; the default.",
        Construct = (classes, size) => new KerasRecipeCnn(classes, size),
        MinimumImageSize = KerasRecipeCnn.MinimumImageSize,
        Summary = (classes, size) => ModelSummary.ForKerasRecipeCnn(size, classes),
        Preprocessing = size => Preprocessing.Default with { ImageSize = size },
        // The dense layer before the classifier sees dropout, so its input cannot be cached, and there is no pretrained
        // backbone to keep: no head to train alone.
        Head = null,
        ClassifierLayer = "fc2",
        // Its 224 px activations and 177 MB dense layer are blocks glibc maps afresh at every step: huge pages make a
        // step cheaper at about the same peak (docs/performance.md, "The heap policy per network").
        Heap = HeapPolicy.HugePages,
        // libtorch for eval and predict: ONNX Runtime keeps copies of the 177 MB dense layer while it builds its session,
        // which cost more time and memory than its faster convolutions saved (docs/performance.md, "Figures behind the
        // code's choices"). And the default network's eval repeats training's validation figures exactly.
        Inference = Inference.InferenceEngine.Torch,
        // The default network's default run is the Keras recipe, bit for bit on every CPU: bf16 only when asked for
        // (--precision bf16), as timm and Lightning leave mixed precision to the user (docs/performance.md).
        MixedPrecisionByDefault = false,
    };
}
