using Classifier.Core.Data;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// One architecture of the model zoo: how to build it, the input it expects and which of its layers form the head.
/// <see cref="NetworkRegistry"/> lists them; nothing else names a concrete network.
/// </summary>
public sealed record NetworkSpec
{
    /// <summary>Name on the command line and in model files (<c>seed-cnn</c>, <c>resnet18</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>One line for <c>classify models</c>.</summary>
    public required string Description { get; init; }

    /// <summary>Builds the network for (class count, input side in px) with fresh weights drawn from torch's generator.</summary>
    public required Func<int, int, nn.Module<Tensor, Tensor>> Construct { get; init; }

    /// <summary>
    /// How glibc should serve this network's buffers (<see cref="HeapPolicy"/>): the one with the least memory among
    /// those within 5% of the fastest, or the frugal one where the fast ones exceed 1.2x PyTorch's peak.
    /// </summary>
    public HeapPolicy Heap { get; init; } = HeapPolicy.Plain;

    /// <summary>
    /// Whether <c>--engine auto</c> runs it on libtorch in eval, predict and the benchmark when on the CPU (Inference's
    /// <c>InferenceNetwork.Open</c> reads it): false, ONNX Runtime, unless measured otherwise.
    /// </summary>
    public bool InfersOnLibTorch { get; init; }

    /// <summary>
    /// Builds the network for <paramref name="classes"/> and <paramref name="imageSize"/> with fresh weights drawn from
    /// torch's generator, after putting its heap policy in force if none is yet (<see cref="NativeHeap.ForNetwork"/>):
    /// every verb builds its network before its first tensor, so the policy is in place before libtorch allocates.
    /// </summary>
    public nn.Module<Tensor, Tensor> Create(int classes, int imageSize)
    {
        NativeHeap.ForNetwork(Heap);
        return Construct(classes, imageSize);
    }

    /// <summary>
    /// Whether <c>--precision auto</c> trains and runs it in bfloat16 mixed precision where the CPU computes bf16
    /// natively (<see cref="MixedPrecision.Resolve"/>). True for the zoo's networks, which are fine-tuned; false for the
    /// default seed CNN, whose default run stays bit for bit what it was on every CPU.
    /// </summary>
    public bool MixedPrecisionByDefault { get; init; } = true;

    /// <summary>
    /// The layer table for (class count, input side) without building the network; null to measure it on a built one
    /// (<see cref="ModelSummary.Of"/>).
    /// </summary>
    public Func<int, int, ModelSummary>? Summary { get; init; }

    /// <summary>The layer table of <paramref name="network"/>, built by this spec for <paramref name="classes"/> and <paramref name="imageSize"/>.</summary>
    public ModelSummary SummaryOf(nn.Module<Tensor, Tensor> network, int classes, int imageSize) =>
        Summary?.Invoke(classes, imageSize) ?? ModelSummary.Of(network, imageSize);

    /// <summary>
    /// Writes this network's own module types - those whose <c>forward</c> is code rather than a chain of children - to
    /// ONNX: given a module, its path ("" for the network), its input's name and the writer, returns the output's name,
    /// or null when the module is not one of this entry's. Leaf layers and <c>Sequential</c> need nothing here. Null
    /// when the network has no such module (ONNX export then stops naming the first module it cannot write).
    /// </summary>
    public Func<nn.Module, string, string, IOnnxWriter, string?>? OnnxForward { get; init; }

    /// <summary>
    /// The PyTorch expression that builds the same module tree as a network (read from the network itself), for its
    /// class count, so an exported state dict names the constructor it loads into strictly
    /// (<c>torchvision.models.resnet18(num_classes=3)</c>); null when the network is not one of this entry's, or not
    /// one torchvision builds.
    /// </summary>
    public Func<nn.Module, int, string?>? TorchVisionModel { get; init; }

    /// <summary>
    /// Where a network computes differently from its torchvision counterpart, the PyTorch lines that make them agree
    /// (run after building it); null when they agree.
    /// </summary>
    public Func<nn.Module, string?>? PyTorchAdjustment { get; init; }

    /// <summary>Input side used when <c>--image-size</c> is not given, px.</summary>
    public int DefaultImageSize { get; init; } = 224;

    /// <summary>Smallest input side the network handles, px.</summary>
    public required int MinimumImageSize { get; init; }

    /// <summary>Largest input side this tool allows, px.</summary>
    public int MaximumImageSize { get; init; } = 1024;

    /// <summary>The input side must be a multiple of this (1 for any side).</summary>
    public int ImageSizeMultiple { get; init; } = 1;

    /// <summary>Resize filter, scale, channel order, mean and std the network's weights expect, for an input side.</summary>
    public required Func<int, Preprocessing> Preprocessing { get; init; }

    /// <summary>
    /// How its pretrained weights were fitted to the square when they were trained, the <c>--resize</c> default with
    /// <c>--weights</c> other than a classify model (torchvision's ImageNet weights: crop); training from scratch squashes.
    /// </summary>
    public Data.ResizeMode PretrainedResize { get; init; } = Data.ResizeMode.Squash;

    /// <summary>
    /// The module (a state-dict prefix such as <c>fc</c> or <c>classifier</c>) trained alone under <c>--freeze backbone</c>;
    /// its input is what the feature cache keeps. Null when the network has no separable head.
    /// </summary>
    public string? Head { get; init; }

    /// <summary>The last linear layer (state-dict prefix), whose output size is the class count.</summary>
    public required string ClassifierLayer { get; init; }

    /// <summary>Named pretrained weights this build can load without a network (<c>--weights imagenet</c>), with a loader.</summary>
    public IReadOnlyDictionary<string, Action<nn.Module<Tensor, Tensor>>> OfflineWeights { get; init; } =
        new Dictionary<string, Action<nn.Module<Tensor, Tensor>>>();

    /// <summary>
    /// torchvision's published ImageNet weights for this network (<c>--weights imagenet</c>, <c>imagenet1k-v1</c>, ...), as
    /// its <c>*_Weights</c> enum lists them; fetched through PyTorch's cache (<see cref="WeightsCache"/>). Empty when
    /// torchvision publishes none.
    /// </summary>
    public IReadOnlyList<TorchVisionWeights> TorchVisionWeights { get; init; } = [];

    /// <summary>
    /// Training it crashes libtorch's oneDNN on machines that do not publish their CPU cache sizes; the trainer then
    /// limits oneDNN for the process (<see cref="Torch.OneDnnSafety"/>).
    /// </summary>
    public bool TrainsOnlyWithKnownCpuCaches { get; init; }

    /// <summary>Whether <paramref name="imageSize"/> is a side this network accepts.</summary>
    public bool Accepts(int imageSize) =>
        imageSize >= MinimumImageSize && imageSize <= MaximumImageSize && imageSize % ImageSizeMultiple == 0;

    /// <summary>The accepted sides in words, for error messages.</summary>
    public string AcceptedSizes =>
        $"{MinimumImageSize} to {MaximumImageSize} px" + (ImageSizeMultiple > 1 ? $", a multiple of {ImageSizeMultiple}" : "");
}
