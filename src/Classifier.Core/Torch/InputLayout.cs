using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// The memory order a network computes on, decided in one place for the network's hooks and
/// <see cref="StagedInference"/>:
/// <list type="bullet">
/// <item>The zoo's networks (registered with <see cref="Register"/>), in fp32 and in bf16 (<see cref="MixedPrecision"/>):
/// channels-last (NHWC strides), which oneDNN's convolutions take without reordering every activation, as PyTorch's
/// <c>model.to(memory_format=torch.channels_last)</c> recipe does. resnet18's fp32 fine-tuning step ran 1.4x, its bf16
/// step 1.3x and mobilenet_v3_large's bf16 step 1.7x the same step on contiguous input (docs/performance.md). Only where
/// <see cref="ChannelsLastCheck.IsSound"/> holds for the precision: libtorch 2.10's fp32 CPU convolution computed some
/// 1x1 convolutions wrongly on channels-last input on one build machine (AVX-512, no cache sizes published): a 256 -> 512
/// channel 1x1 convolution on a channels-last batch of two or more images differed from the contiguous result by about
/// 1.0 on outputs of size 2.6, so ResNets' logits were off by about 0.2 at 224 px. On such a CPU the networks compute
/// on contiguous NCHW input in that precision.</item>
/// <item>Other networks (the seed CNN) in fp32: the input as the caller gives it, which for <see cref="Data.BatchTensors"/>'
/// batches is channels-last, bit for bit what the default network always computed on; in bf16, channels-last where
/// sound, as the zoo's.</item>
/// </list>
/// </summary>
public static class InputLayout
{
    private static readonly ConditionalWeakTable<nn.Module, object> Zoo = new();

    /// <summary>
    /// Registers on <paramref name="network"/> a pre-hook that hands it its input in the order <see cref="For"/> gives
    /// (channels-last where this CPU's fp32 kernels pass <see cref="ChannelsLastCheck"/>, else contiguous NCHW); returns
    /// <paramref name="network"/>. The check runs at the first forward pass that needs it, so a network that is only
    /// exported or handed to ONNX Runtime never pays for it.
    /// </summary>
    /// <remarks>Hooks run when the network is invoked with <c>call</c>, as every caller in classify does.</remarks>
    public static nn.Module<Tensor, Tensor> Register(nn.Module<Tensor, Tensor> network)
    {
        Zoo.AddOrUpdate(network, true);
        network.register_forward_pre_hook((module, input) => Replacement(input, For(module, input)));
        return network;
    }

    /// <summary>
    /// <paramref name="input"/> in the memory order <paramref name="network"/> computes on (see the type's summary):
    /// the same tensor when it already is, else a copy. Tensors that are not 4-D batches are handed back as they are.
    /// </summary>
    public static Tensor For(nn.Module network, Tensor input)
    {
        if (input.dim() != 4) return input;
        if (MixedPrecision.IsMixed(network)) return InOrderFor(Precision.Bf16, input);
        return Zoo.TryGetValue(network, out _) ? InOrderFor(Precision.Fp32, input) : input;
    }

    private static Tensor InOrderFor(Precision precision, Tensor input) =>
        ChannelsLastCheck.IsSound(precision) ? ChannelsLast(input) : Contiguous(input);

    /// <summary>What a pre-hook returns: null keeps the input, a tensor replaces it.</summary>
    internal static Tensor Replacement(Tensor input, Tensor chosen) => ReferenceEquals(chosen, input) ? null! : chosen;

    /// <summary>Whether the [N, C, H, W] <paramref name="x"/> lies in memory as NHWC.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var size = x.shape;
        var stride = x.stride();
        return stride[1] == 1 && stride[3] == size[1] && stride[2] == size[1] * size[3] && stride[0] == size[1] * size[2] * size[3];
    }

    /// <summary>The [N, C, H, W] <paramref name="x"/> with NHWC memory (TorchSharp 0.107 has no <c>contiguous(memory_format)</c>).</summary>
    public static Tensor ChannelsLast(Tensor x) => IsChannelsLast(x) ? x : x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    private static Tensor Contiguous(Tensor x) => x.is_contiguous() ? x : x.contiguous();
}
