using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Torch;

/// <summary>
/// libtorch's CPU autocast reached through its C++ entry points, and the network hooks built on it. Small tensors, any
/// CPU: autocast works everywhere (emulated where bf16 is not native), only its speed differs.
/// </summary>
public sealed class MixedPrecisionTests
{
    [Fact]
    public void Autocast_IsExportedByThisLibtorch()
    {
        TorchRuntime.Initialize();
        Assert.True(Autocast.Available);
    }

    [Fact]
    public void InsideAutocast_ConvolutionsAndLinearRunInBf16_AndTheStateIsRestoredAfterNestedRegions()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, 3);
        var x = randn(2, 3, 8, 8);
        Assert.False(Autocast.IsEnabled);
        using (Autocast.Enter())
        {
            Assert.True(Autocast.IsEnabled);
            Assert.Equal(ScalarType.BFloat16, conv.call(x).dtype);
            using (Autocast.Enter()) Assert.Equal(ScalarType.BFloat16, x.matmul(randn(8, 2)).dtype);
            Assert.True(Autocast.IsEnabled);   // the inner region restored the outer one's state
            Assert.Equal(ScalarType.Float32, conv.weight!.dtype);   // master weights stay fp32
        }
        Assert.False(Autocast.IsEnabled);
        Assert.Equal(ScalarType.Float32, conv.call(x).dtype);
    }

    [Fact]
    public void Bf16Network_GivesFp32LogitsCloseToFp32s_AndFp32GradientsOnItsWeights()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        manual_seed(3);
        var network = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(8, 5));
        var x = randn(4, 3, 16, 16);
        var fp32 = network.call(x).detach();

        MixedPrecision.Apply(network, Precision.Bf16);
        var logits = network.call(x);
        nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1, 2, 3 })).backward();

        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.False(Autocast.IsEnabled);   // the forward pass closed its region
        // bf16 keeps 8 significant bits: about 2-3 decimal digits on logits of size ~1.
        Assert.True(logits.detach().sub(fp32).abs().max().item<float>() < 0.05f);
        Assert.False(logits.detach().eq(fp32).all().item<bool>());   // it did compute in bf16
        foreach (var p in network.parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
        }
    }

    [Fact]
    public void Fp32_LeavesTheNetworkWithoutHooks_BitForBit()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var network = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 3));
        var x = randn(2, 3, 8, 8);
        var before = network.call(x).detach();

        Assert.Same(network, MixedPrecision.Apply(network, Precision.Fp32));

        Assert.False(MixedPrecision.IsMixed(network));
        Assert.True(network.call(x).eq(before).all().item<bool>());
    }

    [Fact]
    public void Resolve_AutoIsFp32ForTheSeedCnnAndSmallImages_AndBf16ForZooNetworksOnlyWhereTheCpuHasNativeBf16()
    {
        TorchRuntime.Initialize();
        var seed = Classifier.Core.Model.Zoo.NetworkRegistry.Get("seed-cnn");
        var resnet = Classifier.Core.Model.Zoo.NetworkRegistry.Get("resnet18");

        Assert.Equal(Precision.Fp32, MixedPrecision.Resolve(Precision.Auto, seed.MixedPrecisionByDefault, CPU));
        Assert.Equal(CpuFeatures.NativeBf16 ? Precision.Bf16 : Precision.Fp32, MixedPrecision.Resolve(Precision.Auto, resnet.MixedPrecisionByDefault, CPU));
        Assert.Equal(Precision.Fp32, MixedPrecision.Resolve(Precision.Auto, resnet.MixedPrecisionByDefault, CPU, imageSize: 64));   // slower in bf16 there
        Assert.Equal(Precision.Bf16, MixedPrecision.Resolve(Precision.Bf16, seed.MixedPrecisionByDefault, CPU));
        Assert.Equal(Precision.Fp32, MixedPrecision.Resolve(Precision.Fp32, resnet.MixedPrecisionByDefault, CPU));
    }

    [Fact]
    public void ChannelsLastCheck_AcceptsEachPrecisionsRounding_AndRejectsAWrongKernelsError()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        manual_seed(5);
        var reference = randn(2, 512, 7, 7) * 2.6;
        double bf16 = ChannelsLastCheck.Tolerance(Precision.Bf16), fp32 = ChannelsLastCheck.Tolerance(Precision.Fp32);
        var summedInAnotherOrder = reference * (1 + (rand_like(reference) - 0.5) * 2e-6);

        Assert.True(ChannelsLastCheck.Agrees(reference.to_type(ScalarType.BFloat16), reference, bf16));
        Assert.False(ChannelsLastCheck.Agrees(reference.to_type(ScalarType.BFloat16), reference, fp32));   // fp32 may not lose bf16's digits
        Assert.True(ChannelsLastCheck.Agrees(summedInAnotherOrder, reference, fp32));
        foreach (var tolerance in new[] { bf16, fp32 })
        {
            Assert.False(ChannelsLastCheck.Agrees(reference + (rand_like(reference) - 0.5) * 2.0, reference, tolerance));   // errors of about 1 on outputs of 2.6
            Assert.False(ChannelsLastCheck.Agrees(reference * double.NaN, reference, tolerance));
        }
    }

    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)]
    public void ChannelsLastCheck_LeavesLibtorchsRandomNumbersAsTheSeedMadeThem(Precision precision)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        manual_seed(42);
        var expected = rand(5);
        manual_seed(42);
        ChannelsLastCheck.Check(precision);
        Assert.True(rand(5).eq(expected).all().item<bool>());
    }

    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)]
    public void ChannelsLastCheck_FromAForwardPassUnderInferenceMode_JudgesAsOutsideIt(Precision precision)
    {
        // The fp32 check runs at a zoo network's first forward pass, which eval and predict make under inference mode.
        TorchRuntime.Initialize();
        bool outside = ChannelsLastCheck.Check(precision);
        bool inside;
        using (inference_mode())
        using (no_grad())
            inside = ChannelsLastCheck.Check(precision);
        Assert.Equal(outside, inside);
    }
}
