using Classifier.Core.Data;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The memory order networks compute on (<see cref="InputLayout"/>). Every zoo network answers the same for the
/// channels-last input <see cref="BatchTensors.Input(ReadOnlySpan{byte}, int, int, Preprocessing, Func{Tensor, Tensor}?, Device?)"/>
/// gives as its own forward pass computes on the same values in contiguous NCHW memory (what PyTorch and ONNX Runtime
/// compute on): libtorch 2.10's 1x1 convolutions from 256 to 512 channels once gave resnet18 logits 0.07-0.24 off on
/// channels-last batches of two or more. In each precision every zoo network computes on channels-last input where the
/// CPU's kernels pass <see cref="ChannelsLastCheck"/>, whatever order the caller's batch is in.
/// </summary>
public sealed class InputLayoutTests(ITestOutputHelper output)
{
    public static TheoryData<string> Networks => [.. NetworkRegistry.Names];

    [Theory]
    [MemberData(nameof(Networks))]
    public void ZooNetwork_GivesTheSameLogits_ForChannelsLastAndContiguousInput(string architecture)
    {
        var (spec, side) = Setup(architecture);
        using var network = spec.Create(3, side);
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (name, buffer) in network.named_buffers())
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 2.5);   // statistics as after training
                else if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.5, 0.5);
        network.eval();
        var channelsLast = Batch(spec, side);
        Assert.False(channelsLast.is_contiguous());

        using var noGrad = no_grad();
        var expected = network.forward(channelsLast.contiguous());   // forward skips the hooks: contiguous all through
        var actual = network.call(channelsLast);                      // in the order InputLayout chooses

        double diff = (expected - actual).abs().max().item<float>();
        output.WriteLine($"{architecture}: max |logit diff| {diff:E2}, largest logit {expected.abs().max().item<float>():F2}");
        Assert.True(diff <= 1e-4, $"{architecture}: channels-last input changes the logits by {diff:E2}");
    }

    /// <summary>Every network in bf16; in fp32 the zoo's (the seed CNN keeps the caller's order there: the last test).</summary>
    public static TheoryData<string, Precision> NetworksAndPrecisions()
    {
        var data = new TheoryData<string, Precision>();
        foreach (var name in NetworkRegistry.Names)
        {
            if (name != SeedCnn.Name) data.Add(name, Precision.Fp32);
            data.Add(name, Precision.Bf16);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NetworksAndPrecisions))]
    public void ZooNetwork_ComputesOnChannelsLastInput_WhereTheCheckPasses_WhateverTheCallersOrder(string architecture, Precision precision)
    {
        var (spec, side) = Setup(architecture);
        using var network = MixedPrecision.Apply(spec.Create(3, side), precision);
        network.eval();
        var seen = new List<bool>();
        network.register_forward_pre_hook((_, input) =>   // after the network's own hooks: what its first layer gets
        {
            seen.Add(InputLayout.IsChannelsLast(input));
            return null!;
        });
        using var scope = NewDisposeScope();
        var channelsLast = Batch(spec, side);

        using var noGrad = no_grad();
        var fromChannelsLast = network.call(channelsLast);
        var fromContiguous = network.call(channelsLast.contiguous());
        var staged = StagedInference.Call(network, channelsLast.contiguous());

        Assert.True(seen.Count >= 2);   // a staged ResNet runs its stages without the network's own hooks
        Assert.All(seen, channelsLastSeen => Assert.Equal(ChannelsLastCheck.IsSound(precision), channelsLastSeen));
        Assert.Equal(ScalarType.Float32, fromChannelsLast.dtype);
        Assert.Equal(0.0, (fromChannelsLast - fromContiguous).abs().max().item<float>());
        Assert.Equal(0.0, (fromChannelsLast - staged).abs().max().item<float>());
    }

    /// <summary>libtorch with 2 threads and seed 3, <paramref name="architecture"/>'s spec and the side it is tested at.</summary>
    private static (NetworkSpec Spec, int Side) Setup(string architecture)
    {
        TorchRuntime.Initialize(2);
        manual_seed(3);
        var spec = NetworkRegistry.Get(architecture);
        return (spec, spec.Accepts(32) ? 32 : spec.MinimumImageSize);
    }

    /// <summary>Two images of random pixels as the data pipeline gives them: [2, 3, H, W], NHWC in memory.</summary>
    private static Tensor Batch(NetworkSpec spec, int side)
    {
        var pixels = new byte[2 * side * side * 3];
        new Random(5).NextBytes(pixels);
        return BatchTensors.Input(pixels, 2, side, spec.Preprocessing(side));
    }

    [Fact]
    public void InFp32_TheZoosNetworksComputeOnChannelsLastWhereSound_AndTheSeedCnnOnTheCallersOrder()
    {
        TorchRuntime.Initialize(2);
        using var scope = NewDisposeScope();
        var contiguous = rand(2, 3, 32, 32);
        var channelsLast = InputLayout.ChannelsLast(contiguous);
        Assert.True(InputLayout.IsChannelsLast(channelsLast));
        using var resnet = NetworkRegistry.Get("resnet18").Create(3, 32);
        using var seed = NetworkRegistry.Get("seed-cnn").Create(3, 32);

        bool sound = ChannelsLastCheck.IsSound(Precision.Fp32);
        Assert.Equal(sound, InputLayout.IsChannelsLast(InputLayout.For(resnet, contiguous)));
        Assert.Equal(!sound, InputLayout.For(resnet, channelsLast).is_contiguous());
        Assert.Same(channelsLast, InputLayout.For(seed, channelsLast));
        Assert.Same(contiguous, InputLayout.For(seed, contiguous));
    }
}
