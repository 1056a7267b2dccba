using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// The model zoo: every architecture <c>classify</c> can build, by name (torchvision's <c>models/__init__.py</c>,
/// timm's <c>create_model</c>). Adding one is one file in this folder with its <see cref="NetworkSpec"/> (how to build
/// it, its input, its head, and - where the generic code cannot know them - its ONNX forward, the PyTorch call that
/// builds it and its layer table) and one line in <see cref="All"/>; nothing else in the code base names a concrete
/// network, and the tests that check every network take <see cref="All"/>.
/// </summary>
public static class NetworkRegistry
{
    /// <summary>The name of the default network.</summary>
    public const string DefaultName = SeedCnn.Name;

    /// <summary>Every architecture, in the order <c>classify models</c> lists them.</summary>
    public static IReadOnlyList<NetworkSpec> All { get; } =
    [
        SeedCnn.Spec,
        TorchVisionResNet.Entry("resnet18", "torchvision ResNet-18 (11.7 M parameters at 1,000 classes).", c => torchvision.models.resnet18(num_classes: c)),
        TorchVisionResNet.Entry("resnet34", "torchvision ResNet-34 (21.8 M parameters at 1,000 classes).", c => torchvision.models.resnet34(num_classes: c)) with
        {
            // glibc's own policy peaks at 1.24x PyTorch's when training at batch 8 (docs/performance.md).
            Heap = HeapPolicy.Frugal,
        },
        CntkResNet18.Spec,
        TorchVisionResNet.Entry("resnet50", "torchvision ResNet-50 (25.6 M parameters at 1,000 classes, bottleneck blocks).", c => torchvision.models.resnet50(num_classes: c)) with
        {
            // Its 1x1 bottleneck convolutions take oneDNN's brgemm path when training, which divides by the CPU's cache sizes.
            TrainsOnlyWithKnownCpuCaches = true,
            // glibc's own policy peaks at 1.3x PyTorch's when training (docs/performance.md).
            Heap = HeapPolicy.Frugal,
        },
        TorchVisionMobileNet.V2,
        TorchVisionMobileNet.V3Small,
        TorchVisionMobileNet.V3Large,
    ];

    /// <summary>The names, in listing order.</summary>
    public static IReadOnlyList<string> Names => All.Select(s => s.Name).ToList();

    /// <summary>The architecture called <paramref name="name"/>, or null.</summary>
    public static NetworkSpec? Find(string? name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The architecture called <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static NetworkSpec Get(string name) =>
        Find(name) ?? throw new ClassifierException($"--model '{name}': unknown network; choose one of {string.Join(", ", Names)} (see classify models).");

    /// <summary>
    /// A new network as <paramref name="info"/> describes it, with fresh weights. <paramref name="info"/> is checked first
    /// (<see cref="ModelInfoBounds"/>), so a crafted file never reaches native code with impossible sizes; the error
    /// names <paramref name="source"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(ModelInfo info, string source)
    {
        if ((ModelInfoBounds.Problem(info) ?? ModelInfoBounds.HyperparametersProblem(info)) is { } problem)
            throw new ClassifierException($"Model file '{source}' is not usable: {problem}. Retrain, or use another copy of the file.");
        var h = info.EffectiveHyperparameters;
        return Get(info.Architecture).Create(h.ClassCount, h.ImageSize);
    }
}
