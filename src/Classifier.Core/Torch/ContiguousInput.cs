using static TorchSharp.torch;

namespace Classifier.Core.Torch;

/// <summary>
/// Makes a network run on contiguous NCHW input, whatever the caller's memory format. libtorch 2.10's CPU convolution
/// computes some 1x1 convolutions wrongly on channels-last input: on this project's build machine (AVX-512, no cache
/// sizes published) a 256 -> 512 channel 1x1 convolution on a channels-last batch of two or more images differed from the
/// contiguous result by about 1.0 on outputs of size 2.6, while 128 -> 256 agreed to 1e-6 and a batch of one was exact
/// (<c>ContiguousInputTests</c>). ResNets' last downsampling shortcut is such a convolution, so on channels-last input
/// their logits are off by about 0.2 at 224 px and do not match PyTorch or ONNX Runtime; on contiguous input they agree
/// within 1e-5. The seed CNN keeps the channels-last input <see cref="Data.BatchTensors"/> gives it (its 3x3
/// convolutions are unaffected).
/// </summary>
public static class ContiguousInput
{
    /// <summary>Registers on <paramref name="network"/> a pre-hook that copies non-contiguous input to NCHW; returns it.</summary>
    /// <remarks>Hooks run when the network is invoked with <c>call</c>, as every caller in classify does.</remarks>
    public static nn.Module<Tensor, Tensor> Require(nn.Module<Tensor, Tensor> network)
    {
        network.register_forward_pre_hook((_, input) => input.is_contiguous() ? null! : input.contiguous());   // null keeps the input
        return network;
    }
}
