using Classifier.Core.Data;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// The zoo entry of <see cref="CntkResNet18"/>: a torchvision-layout ResNet [2, 2, 2, 3] whose ImageNet weights ship
/// with classify (<c>--weights imagenet</c>). Its input is CNTK's: BGR on the 0-255 scale minus the channel means, at a
/// side that is a multiple of 32 (see docs/pretrained-weights.md).
/// </summary>
internal static class CntkResNet
{
    public static NetworkSpec Spec { get; } = new()
    {
        Name = PretrainedWeights.ImageNetModel,
        Description = "ResNet [2,2,2,3] (16.4 M parameters at 1,000 classes) with ImageNet weights built in: --weights imagenet (CNTK ResNet18, MIT).",
        Construct = (classes, _) => StagedInference.Register(ContiguousInput.Require(CntkResNet18.Create(classes))),
        DefaultImageSize = CntkResNet18.DefaultImageSize,
        MinimumImageSize = CntkResNet18.ImageSizeMultiple,
        ImageSizeMultiple = CntkResNet18.ImageSizeMultiple,
        Preprocessing = size => new Preprocessing(size, Interpolation.Bilinear, CntkResNet18.PixelScale)
        {
            ChannelOrder = ChannelOrder.Bgr,
            Mean = [.. CntkResNet18.MeanBgr],
            Std = [CntkResNet18.Std, CntkResNet18.Std, CntkResNet18.Std],
        },
        Head = "fc",
        ClassifierLayer = "fc",
        OfflineWeights = new Dictionary<string, Action<nn.Module<Tensor, Tensor>>> { [PretrainedWeights.ImageNet] = LoadImageNet },
    };

    /// <summary>Copies the ImageNet backbone into <paramref name="network"/>; its head stays as initialised.</summary>
    private static void LoadImageNet(nn.Module<Tensor, Tensor> network)
    {
        var backbone = CntkResNet18.ReadImageNetBackbone(CntkResNet18.DefaultWeightsPath);
        try
        {
            var target = network.state_dict();
            var notLoaded = target.Keys.Where(k => !backbone.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            var unknown = backbone.Keys.Where(k => !target.ContainsKey(k)).ToList();
            if (unknown.Count > 0 || !notLoaded.SequenceEqual(["fc.bias", "fc.weight"]))
                throw new ClassifierException(
                    $"The ImageNet weights in '{CntkResNet18.DefaultWeightsPath}' do not fit resnet18-cntk (unexpected: {string.Join(", ", unknown)}; not loaded: {string.Join(", ", notLoaded)}); reinstall classify.");
            using var noGrad = no_grad();
            foreach (var (key, tensor) in backbone) target[key].copy_(tensor);
        }
        finally
        {
            foreach (var tensor in backbone.Values) tensor.Dispose();
        }
    }
}
