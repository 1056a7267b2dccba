using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Classifier.Tests.Export;

/// <summary>
/// Every zoo architecture (and a ResNet of stages no entry has) exported to ONNX and run in ONNX Runtime gives
/// TorchSharp's eval-mode logits and probabilities within 1e-4, at 64 px to stay fast.
/// </summary>
public sealed class OnnxArchitectureTests(ITestOutputHelper output)
{
    private const int Classes = 5;
    private const int Side = 64;

    [Theory]
    [MemberData(nameof(ZooNetworks.All), MemberType = typeof(ZooNetworks))]
    [InlineData(ZooNetworks.ResNet2223)]
    public void OnnxRuntime_MatchesTorchSharpTo1e4(string architecture) => AssertOnnxMatches(architecture);

    [Theory]
    [InlineData(1f / 255, false, new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })]   // torchvision ImageNet
    [InlineData(1f, true, new[] { 103.06f, 115.90f, 123.15f }, new[] { 1f, 1f, 1f })]                 // CNTK: BGR, 0-255, mean
    public void PreprocessingOps_AtTheStartOfTheGraph_TakeTheSameInputAsTheSeedCnn(float scale, bool bgr, float[] mean, float[] std)
    {
        TorchRuntime.Initialize();
        using var network = ZooNetworks.Create("resnet18", Classes);
        var normalization = new InputNormalization(255f * scale, bgr, mean, std);
        using var scope = NewDisposeScope();
        // A network trained on 0-255 inputs has first-layer weights to match; without that every activation (and
        // logit) would be ~100x larger than in use, and so would float32's rounding.
        using (torch.no_grad())
            network.named_parameters().Single(p => p.name == "conv1.weight").parameter.div_(255f * scale);
        var input = torch.rand(3, 3, Side, Side);   // RGB in [0, 1], what every exported graph takes

        // The preprocessing by hand: scale, reorder, (x - mean) / std, all per channel.
        var x = input.mul(255f * scale);
        if (bgr) x = x.index_select(1, torch.tensor(new long[] { 2, 1, 0 }));
        x = x.sub(torch.tensor(mean).view(1, 3, 1, 1)).div(torch.tensor(std).view(1, 3, 1, 1));
        var expected = Logits(network, x);

        var onnx = Export(network, normalization);
        var (logits, _) = RunOnnx(onnx, input);
        double diff = MaxAbsDiff(expected, logits);
        output.WriteLine($"max |logit diff| {diff:E2}");
        Assert.True(diff <= 1e-4, $"ONNX Runtime differs from TorchSharp by {diff:E2}");
    }

    [Fact]
    public void UnknownModuleType_StopsTheExportNamingTheModuleAndItsType()
    {
        TorchRuntime.Initialize();
        using var network = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("act", nn.GELU()), ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(4, 2)));
        network.eval();

        var error = Assert.Throws<ClassifierException>(() => Export(network, null));

        Assert.Contains("'act'", error.Message);
        Assert.Contains("GELU", error.Message);
        Assert.Contains("pt or safetensors", error.Message);
    }

    [Fact]
    public void PoolingToMoreThanOnePixel_IsRefusedRatherThanWrittenAsGlobalPooling()
    {
        TorchRuntime.Initialize();
        using var network = nn.Sequential(("conv", nn.Conv2d(3, 4, 3)), ("pool", nn.AdaptiveAvgPool2d(2)),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(16, 2)));
        network.eval();

        var error = Assert.Throws<ClassifierException>(() => Export(network, null));

        Assert.Contains("'pool'", error.Message);
        Assert.Contains("2x2", error.Message);
    }

    private void AssertOnnxMatches(string architecture)
    {
        TorchRuntime.Initialize();
        using var network = ZooNetworks.Create(architecture, Classes);
        using var scope = NewDisposeScope();
        var input = torch.rand(3, 3, Side, Side);
        var expected = Logits(network, input);
        var spread = expected.Max() - expected.Min();
        Assert.True(spread > 1, $"the check needs logits that differ between classes (spread {spread})");

        var onnx = Export(network, null);
        var (logits, probabilities) = RunOnnx(onnx, input);

        double diff = MaxAbsDiff(expected, logits);
        var expectedProbabilities = torch.tensor(expected).view(3, Classes).softmax(1).data<float>().ToArray();
        double probabilityDiff = MaxAbsDiff(expectedProbabilities, probabilities);
        output.WriteLine($"{architecture}: max |logit diff| {diff:E2}, max |probability diff| {probabilityDiff:E2}, logits spread {spread:F1}");
        Assert.True(diff <= 1e-4, $"{architecture}: ONNX Runtime logits differ from TorchSharp's by {diff:E2}");
        Assert.True(probabilityDiff <= 1e-4, $"{architecture}: probabilities differ by {probabilityDiff:E2}");
    }

    private static float[] Logits(nn.Module<Tensor, Tensor> network, Tensor input)
    {
        using var noGrad = torch.no_grad();
        return network.call(input).data<float>().ToArray();
    }

    private static byte[] Export(nn.Module<Tensor, Tensor> network, InputNormalization? normalization)
    {
        var info = new ModelInfo("test-network", [.. Enumerable.Range(0, Classes).Select(i => $"c{i}")],
            new Preprocessing(Side, Interpolation.Bilinear, 1f / 255), 1, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);
        using var stream = new MemoryStream();
        OnnxExport.Write(stream, network, info, normalization);
        return stream.ToArray();
    }

    private static (float[] Logits, float[] Probabilities) RunOnnx(byte[] model, Tensor input)
    {
        using var session = new InferenceSession(model, new SessionOptions { IntraOpNumThreads = 1 });
        var values = input.contiguous().data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(values, input.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [OnnxExport.InputName], [value], [OnnxExport.LogitsName, OnnxExport.ProbabilitiesName]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    private static double MaxAbsDiff(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
    }
}
