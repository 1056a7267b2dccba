using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// Inference that frees each stage's activations once read (<see cref="StagedInference"/>) gives exactly the network's
/// own output, for every network of the zoo, and for the ResNets (staged) leaves no intermediate tensor behind in the caller's dispose scope.
/// </summary>
public sealed class StagedInferenceTests
{
    /// <summary>Every network: the ResNets are registered; the others (a MobileNet's forward pools functionally) run whole.</summary>
    public static TheoryData<string> ZooNetworks => [.. NetworkRegistry.Names];

    [Theory]
    [MemberData(nameof(ZooNetworks))]
    public void StagedInference_EqualsTheNetworksOwnForward_AndKeepsOnlyItsOutput(string architecture)
    {
        TorchRuntime.Initialize(2);
        manual_seed(11);
        var spec = NetworkRegistry.Get(architecture);
        int side = spec.Accepts(64) ? 64 : spec.MinimumImageSize;
        using var network = spec.Create(5, side);
        network.eval();
        var pixels = new byte[3 * side * side * 3];
        new Random(9).NextBytes(pixels);
        using var scope = NewDisposeScope();
        var input = BatchTensors.Input(pixels, 3, side, spec.Preprocessing(side));   // channels-last, as in eval

        using var inference = inference_mode();
        var expected = network.call(input);
        int before = scope.DisposablesCount;
        var staged = StagedInference.Call(network, input);
        int kept = scope.DisposablesCount - before;

        Assert.Equal(expected.shape, staged.shape);
        Assert.Equal(0.0, (expected - staged).abs().max().item<float>());
        // The ResNets are registered and run stage by stage; the others run whole, leaving what their forward leaves.
        if (network is TorchSharp.Modules.ResNet)
            Assert.True(kept <= 2, $"{architecture}: {kept} tensors left in the caller's scope (the output and the contiguous copy of the input expected)");
        using var torchEngine = InferenceNetwork.Torch(network);
        var mirrored = torchEngine.Logits(input, TestTimeAugmentation.HorizontalFlip);
        var mirroredExpected = network.call(cat([input, input.flip(3)])).view(2, 3, -1).mean([0]);
        Assert.Equal(0.0, (mirroredExpected - mirrored).abs().max().item<float>());
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet18-cntk")]
    public void InBf16_StagedInference_EqualsTheNetworksOwnForward(string architecture)
    {
        TorchRuntime.Initialize(2);
        manual_seed(11);
        var spec = NetworkRegistry.Get(architecture);
        using var network = MixedPrecision.Apply(spec.Create(5, 64), Precision.Bf16);
        network.eval();
        var pixels = new byte[3 * 64 * 64 * 3];
        new Random(9).NextBytes(pixels);
        using var scope = NewDisposeScope();
        var input = BatchTensors.Input(pixels, 3, 64, spec.Preprocessing(64));

        using var inference = inference_mode();
        var expected = network.call(input);
        var staged = StagedInference.Call(network, input);

        Assert.Equal(ScalarType.Float32, staged.dtype);
        Assert.Equal(0.0, (expected - staged).abs().max().item<float>());
    }

    [Fact]
    public void WithGradients_TheNetworkRunsWhole()
    {
        TorchRuntime.Initialize(2);
        var spec = NetworkRegistry.Get("resnet18");
        using var network = spec.Create(4, 32);
        using var scope = NewDisposeScope();
        var input = rand(2, 3, 32, 32);
        var output = StagedInference.Call(network, input);
        Assert.True(output.requires_grad);   // training goes through autograd, which needs every intermediate
    }
}
