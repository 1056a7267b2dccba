using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// The memory order a network computes on, decided in one place for the network's hooks and
/// <see cref="StagedInference"/>:
/// <list type="bullet">
/// <item>In bf16 (<see cref="MixedPrecision"/>): channels-last (NHWC strides), which oneDNN's bf16 convolutions take
/// without reordering every activation (resnet18's training step 1.3x, mobilenet_v3_large's 1.7x the same step on
/// contiguous input; docs/performance.md), as PyTorch's <c>model.to(memory_format=torch.channels_last)</c> recipe does.
/// Only where <see cref="Bf16ChannelsLast.IsSound"/>: on a CPU whose channels-last kernels disagree with the fp32
/// reference it is contiguous NCHW instead.</item>
/// <item>In fp32, for the networks registered with <see cref="RequireContiguousInFp32"/>: contiguous NCHW. libtorch
/// 2.10's fp32 CPU convolution computed some 1x1 convolutions wrongly on channels-last input on a build machine (AVX-512,
/// no cache sizes published): a 256 -> 512 channel 1x1 convolution on a channels-last batch of two or more images
/// differed from the contiguous result by about 1.0 on outputs of size 2.6, so ResNets' logits were off by about 0.2 at
/// 224 px and did not match PyTorch or ONNX Runtime (<c>InputLayoutTests</c>).</item>
/// <item>Otherwise (the seed CNN in fp32) the input as the caller gives it: <see cref="Data.BatchTensors"/>'
/// channels-last batches, bit for bit what the default network always computed on.</item>
/// </list>
/// </summary>
public static class InputLayout
{
    private static readonly ConditionalWeakTable<nn.Module, object> ContiguousInFp32 = new();

    /// <summary>
    /// Registers on <paramref name="network"/> a pre-hook that hands it its input in the order <see cref="For"/> gives,
    /// contiguous NCHW in fp32; returns it.
    /// </summary>
    /// <remarks>Hooks run when the network is invoked with <c>call</c>, as every caller in classify does.</remarks>
    public static nn.Module<Tensor, Tensor> RequireContiguousInFp32(nn.Module<Tensor, Tensor> network)
    {
        ContiguousInFp32.AddOrUpdate(network, true);
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
        if (MixedPrecision.IsMixed(network))
            return Bf16ChannelsLast.IsSound ? ChannelsLast(input) : Contiguous(input);
        return ContiguousInFp32.TryGetValue(network, out _) ? Contiguous(input) : input;
    }

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
