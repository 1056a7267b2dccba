using Classifier.Core.Data;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// <c>resnet18-cntk</c>: the residual network of the ImageNet weights that ship offline with classify, and those
/// weights. They come from CNTK's ResNet18 as exported to ONNX in the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT licence, Microsoft); the build copies its ONNX file to
/// <see cref="WeightsRelativePath"/> beside the program. Despite its name the network is not torchvision's resnet18:
/// its stages have [2, 2, 2, 3] basic blocks (one more in the 512-channel stage), which torchvision builds as
/// <c>ResNet(BasicBlock, [2, 2, 2, 3])</c>, so state-dict keys and exports are torchvision's. See
/// docs/pretrained-weights.md. Its zoo entry is <see cref="Spec"/>.
/// </summary>
public static class CntkResNet18
{
    /// <summary>Basic blocks per stage; the stages have 64, 128, 256 and 512 channels.</summary>
    public static IReadOnlyList<int> Layers { get; } = [2, 2, 2, 3];

    /// <summary>Length of the feature vector the backbone hands to the classifier head (<c>fc</c>).</summary>
    public const int FeatureCount = 512;

    /// <summary>Where the build puts the ONNX file, relative to the program's folder.</summary>
    public const string WeightsRelativePath = "pretrained/resnet18-cntk-imagenet.onnx";

    /// <summary>Where the weights come from, for listings and reports.</summary>
    public const string WeightsSource = "ImageNet, CNTK ResNet18 from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT)";

    /// <summary>The ONNX file installed with classify (build, publish or tool-package output).</summary>
    public static string DefaultWeightsPath => Path.Combine(AppContext.BaseDirectory, WeightsRelativePath);

    /// <summary>The input side the weights were trained at, in pixels.</summary>
    public const int DefaultImageSize = 224;

    /// <summary>Input sides must be a multiple of this, in pixels (see <see cref="ValidateImageSize"/>).</summary>
    public const int ImageSizeMultiple = 32;

    /// <summary>Channel order the network expects: blue, green, red (CNTK's convention).</summary>
    public const string ChannelOrder = "BGR";

    /// <summary>Factor applied to 0-255 pixel values: 1, the network takes pixels on the 0-255 scale.</summary>
    public const float PixelScale = 1f;

    /// <summary>
    /// Per-channel mean subtracted from the 0-255 pixel values, in <see cref="ChannelOrder"/> (B, G, R). The package's
    /// ResNetPreprocess.onnx subtracts a 224 x 224 mean image; these are that image's exact channel averages (it
    /// varies little across pixels: standard deviation 3-6), so they apply at every input size.
    /// </summary>
    public static IReadOnlyList<float> MeanBgr { get; } = [103.06262f, 115.90288f, 123.15163f];

    /// <summary>Per-channel divisor after the mean: 1 (CNTK's preprocessing does not scale).</summary>
    public const float Std = 1f;

    /// <summary>
    /// The zoo entry: with the ImageNet weights built in (<c>--weights imagenet</c>). Its input is CNTK's: BGR on the
    /// 0-255 scale minus the channel means, at a side that is a multiple of 32 (see docs/pretrained-weights.md).
    /// </summary>
    public static NetworkSpec Spec { get; } = new()
    {
        Name = PretrainedWeights.ImageNetModel,
        Description = "ResNet [2,2,2,3] (16.4 M parameters at 1,000 classes) with ImageNet weights built in: --weights imagenet (CNTK ResNet18, MIT).",
        Construct = (classes, _) => StagedInference.Register(InputLayout.Register(Create(classes))),
        DefaultImageSize = DefaultImageSize,
        MinimumImageSize = ImageSizeMultiple,
        ImageSizeMultiple = ImageSizeMultiple,
        Preprocessing = size => new Preprocessing(size, Interpolation.Bilinear, PixelScale)
        {
            ChannelOrder = Data.ChannelOrder.Bgr,
            Mean = [.. MeanBgr],
            Std = [Std, Std, Std],
        },
        Head = "fc",
        ClassifierLayer = "fc",
        OfflineWeights = new Dictionary<string, Action<Module<Tensor, Tensor>>> { [PretrainedWeights.ImageNet] = LoadImageNet },
        // A torchvision ResNet whose blocks are CntkBasicBlock: BasicBlock's forward, its ReLU module named relu (not relu1).
        OnnxForward = (module, path, input, onnx) => module is CntkBasicBlock
            ? TorchVisionResNet.ResidualBlock(module, path, input, ["conv1", "bn1", "relu", "conv2", "bn2"], onnx)
            : TorchVisionResNet.OnnxForward(module, path, input, onnx),
        TorchVisionModel = TorchVisionResNet.TorchVisionModel,
    };

    /// <summary>
    /// Builds the network with a new classifier head of <paramref name="classCount"/> outputs, randomly initialised
    /// as torchvision does (Kaiming-normal convolutions, unit batch norms). Input [N, 3, H, W] preprocessed as above,
    /// output logits [N, classCount]. Its state-dict keys are torchvision's (conv1.weight, bn1.*, layer1.0.conv1.weight,
    /// ..., layer4.2.bn2.*, layer2.0.downsample.0.weight, ..., fc.weight, fc.bias); load
    /// <see cref="ReadImageNetBackbone"/> into it for the ImageNet weights.
    /// </summary>
    public static Module<Tensor, Tensor> Create(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        return new ResNet("ResNet18Cntk",
            (inChannels, channels, stride, downsample, _, _, _, _) => new CntkBasicBlock(inChannels, channels, stride, downsample),
            expansion: 1, layers: Layers.ToArray(), numClasses: classCount);
    }

    /// <summary>
    /// Reads the ImageNet weights from the package's ONNX file as a torchvision-layout state dict for every key of
    /// <see cref="Create"/>'s network except the head (fc.weight, fc.bias): 22 convolution weights and 22 batch norms
    /// (weight, bias, running_mean, running_var, num_batches_tracked = 0), float32 on the CPU, owned by the caller.
    /// Load it with <c>load_state_dict(weights, strict: false)</c> and check that only fc.* is missing.
    /// Throws <see cref="ClassifierException"/> naming the file when it is missing, damaged or not the expected graph.
    /// </summary>
    /// <param name="onnxPath">The ONNX file, normally <see cref="DefaultWeightsPath"/>.</param>
    public static Dictionary<string, Tensor> ReadImageNetBackbone(string onnxPath)
    {
        if (!File.Exists(onnxPath))
            throw new ClassifierException(
                $"The ImageNet weights of resnet18-cntk are missing: '{onnxPath}' does not exist. They are installed with " +
                "classify (from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18); reinstall or rebuild classify.");
        return CntkWeightImport.ToTorchVision(OnnxReader.Read(onnxPath), onnxPath);
    }

    /// <summary>
    /// Throws <see cref="ClassifierException"/> unless <paramref name="imageSize"/> is a positive multiple of
    /// <see cref="ImageSizeMultiple"/>. CNTK padded its stride-2 layers asymmetrically (1 pixel before, 0 after; the
    /// stem 3 before, 2 after); the network here pads symmetrically as torchvision does. On sides that are multiples of
    /// 32 every stride-2 layer sees an even side, and every window then covers the same pixels in both, so the
    /// weights compute what they were trained to compute. On other sides the windows shift by a pixel, and the CNTK
    /// graph itself does not run (its shortcut and main paths disagree in shape), so such sizes are refused.
    /// </summary>
    public static void ValidateImageSize(int imageSize)
    {
        if (imageSize >= ImageSizeMultiple && imageSize % ImageSizeMultiple == 0) return;
        int below = imageSize / ImageSizeMultiple * ImageSizeMultiple;
        string suggestion = below < ImageSizeMultiple
            ? $"{ImageSizeMultiple}"
            : $"{below} or {below + ImageSizeMultiple}";
        throw new ClassifierException(
            $"resnet18-cntk needs an image size that is a multiple of {ImageSizeMultiple} (its ImageNet weights match the " +
            $"network only then); --image-size {imageSize} is not: use {suggestion}.");
    }

    /// <summary>Copies the ImageNet backbone into <paramref name="network"/>; its head stays as initialised.</summary>
    private static void LoadImageNet(Module<Tensor, Tensor> network)
    {
        var backbone = ReadImageNetBackbone(DefaultWeightsPath);
        try
        {
            var target = network.state_dict();
            var notLoaded = target.Keys.Where(k => !backbone.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var unknown = backbone.Keys.Where(k => !target.ContainsKey(k)).ToList();
            if (unknown.Count > 0 || !notLoaded.SequenceEqual(["fc.bias", "fc.weight"]))
                throw new ClassifierException(
                    $"The ImageNet weights in '{DefaultWeightsPath}' do not fit resnet18-cntk (unexpected: {string.Join(", ", unknown)}; not loaded: {string.Join(", ", notLoaded)}); reinstall classify.");
            using var noGrad = no_grad();
            foreach (var (key, tensor) in backbone) target[key].copy_(tensor);
        }
        finally
        {
            foreach (var tensor in backbone.Values) tensor.Dispose();
        }
    }
}
