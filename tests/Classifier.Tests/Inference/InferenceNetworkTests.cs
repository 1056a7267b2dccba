using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Tests.Inference;

/// <summary>
/// The engine seam of eval and predict: ONNX Runtime gives libtorch's logits (within 1e-4, relative to the logits'
/// size) on the channels-last batches eval feeds it, with and without test-time augmentation, for a smaller last batch
/// and the same on every call; auto takes the network's own choice and libtorch for few images; where ONNX Runtime
/// cannot run a network, auto falls back to libtorch and says why while an explicit --engine onnx refuses.
/// That every zoo network's ONNX graph computes its logits is <c>OnnxArchitectureTests</c>' (with non-trivial batch-norm
/// statistics) and, for the seed CNN, <c>OnnxExportTests</c>'; here one network of each way libtorch runs them.
/// </summary>
public sealed class InferenceNetworkTests
{
    [Theory]
    [InlineData("seed-cnn")]             // channels-last input, one forward
    [InlineData("resnet18")]             // contiguous input, staged inference
    [InlineData("mobilenet_v3_small")]   // contiguous input, one forward
    public void OnnxRuntime_GivesLibTorchsLogits_OnEvalsBatches(string architecture)
    {
        TorchRuntime.Initialize(2);
        var spec = NetworkRegistry.Get(architecture);
        int side = spec.Accepts(64) ? 64 : spec.MinimumImageSize;
        var preprocessing = spec.Preprocessing(side);
        using var scope = NewDisposeScope();
        var pixels = new byte[5 * preprocessing.PixelBytes];
        new Random(3).NextBytes(pixels);
        var input = BatchTensors.Input(pixels, 5, side, preprocessing);   // channels-last strides, as eval's batches

        using var torchEngine = Open(spec, side, InferenceEngine.Torch);
        using var onnxEngine = Open(spec, side, InferenceEngine.Onnx);
        Assert.Equal(InferenceEngine.Onnx, onnxEngine.Engine);
        Assert.Null(onnxEngine.FallbackReason);
        using var inference = inference_mode();
        foreach (var augmentation in new[] { TestTimeAugmentation.None, TestTimeAugmentation.HorizontalFlip })
        {
            var expected = torchEngine.Logits(input, augmentation);
            var actual = onnxEngine.Logits(input, augmentation);
            Assert.Equal(expected.shape, actual.shape);
            double difference = (expected - actual).abs().max().item<float>();
            double scale = Math.Max(1, expected.abs().max().item<float>());   // float32 sums: relative to the logits' size
            Assert.True(difference <= 1e-4 * scale, $"{architecture}, {augmentation}: logits differ by {difference:G3} (largest logit {scale:G3})");
        }
        // A smaller last batch, and the same answer on every call.
        var first = onnxEngine.Logits(input[..2], TestTimeAugmentation.None);
        var again = onnxEngine.Logits(input[..2], TestTimeAugmentation.None);
        Assert.Equal(new long[] { 2, 4 }, first.shape);
        Assert.True(first.equal(again).all().item<bool>());
    }

    [Theory]
    [InlineData("seed-cnn", InferenceEngine.Torch)]
    [InlineData("resnet18", InferenceEngine.Onnx)]
    [InlineData("mobilenet_v3_small", InferenceEngine.Onnx)]
    public void Auto_IsTheNetworksOwnChoice(string architecture, InferenceEngine expected)
    {
        TorchRuntime.Initialize(2);
        var spec = NetworkRegistry.Get(architecture);
        using var auto = Open(spec, spec.Accepts(64) ? 64 : spec.MinimumImageSize, InferenceEngine.Auto);
        Assert.Equal(expected, auto.Engine);
        Assert.Null(auto.FallbackReason);
    }

    [Theory]
    [InlineData(224, 1, InferenceEngine.Torch)]
    [InlineData(224, InferenceNetwork.FewImages - 1, InferenceEngine.Torch)]
    [InlineData(224, InferenceNetwork.FewImages, InferenceEngine.Onnx)]
    [InlineData(64, 391, InferenceEngine.Torch)]   // as many pixels as 31.9 images at 224 px
    [InlineData(64, 392, InferenceEngine.Onnx)]
    public void Auto_AnswersAFewImagesOnLibTorch_WithoutBuildingASession(int side, int images, InferenceEngine expected)
    {
        TorchRuntime.Initialize(2);
        var spec = NetworkRegistry.Get("mobilenet_v3_small");
        manual_seed(5);
        var model = new LoadedModel(spec.Create(4, side), Info(spec.Name, side, spec), new Dictionary<string, byte[]>());
        using var auto = InferenceNetwork.Open(model, InferenceEngine.Auto, CPU, images: images);
        Assert.Equal(expected, auto.Engine);
        using var explicitOnnx = Open(spec, side, InferenceEngine.Onnx);   // --engine onnx is honoured whatever the count
        Assert.Equal(InferenceEngine.Onnx, explicitOnnx.Engine);
    }

    [Fact]
    public void Auto_FallsBackToLibTorch_WhenTheNetworkHasNoOnnxTranslation_AndOnnxRefuses()
    {
        TorchRuntime.Initialize(2);
        var info = Info("resnet18", 32);
        using (var auto = InferenceNetwork.Open(new LoadedModel(Untranslatable(), info, new Dictionary<string, byte[]>()), InferenceEngine.Auto, CPU))
        {
            Assert.Equal(InferenceEngine.Torch, auto.Engine);
            Assert.Contains("ONNX Runtime cannot run this network", auto.FallbackReason);
            using var scope = NewDisposeScope();
            Assert.Equal(new long[] { 2, 4 }, auto.Logits(rand(2, 3, 32, 32), TestTimeAugmentation.None).shape);
        }
        var error = Assert.Throws<ClassifierException>(() =>
            InferenceNetwork.Open(new LoadedModel(Untranslatable(), info, new Dictionary<string, byte[]>()), InferenceEngine.Onnx, CPU));
        Assert.Contains("--engine onnx", error.Message);
        Assert.Contains("--engine torch", error.Message);
    }

    private static InferenceNetwork Open(NetworkSpec spec, int side, InferenceEngine engine)
    {
        manual_seed(5);
        var network = spec.Create(4, side);
        return InferenceNetwork.Open(new LoadedModel(network, Info(spec.Name, side, spec), new Dictionary<string, byte[]>()), engine, CPU);
    }

    private static ModelInfo Info(string architecture, int side, NetworkSpec? spec = null) =>
        new(architecture, ["a", "b", "c", "d"], (spec ?? NetworkRegistry.Get(architecture)).Preprocessing(side), 1,
            new Dictionary<string, double>(), "test", "test", DateTime.UnixEpoch);

    /// <summary>A network with a layer the ONNX exporter does not translate (GELU).</summary>
    private static nn.Module<Tensor, Tensor> Untranslatable() =>
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten());
}
