using Classifier.Core;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

/// <summary>resnet18-cntk with bad weight files and image sizes: one clear message naming the file or the value.</summary>
public sealed class CntkResNet18InputTests : IClassFixture<ImageNetWeightsFixture>, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ImageNetWeightsFixture _weights;

    public CntkResNet18InputTests(ImageNetWeightsFixture weights)
    {
        _weights = weights;
        TorchRuntime.Initialize();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadImageNetBackbone_WithAMissingFile_SaysItIsMissingAndHowToGetIt()
    {
        var path = _dir.Combine("pretrained", "resnet18-cntk-imagenet.onnx");
        var error = Assert.Throws<ClassifierException>(() => CntkResNet18.ReadImageNetBackbone(path));
        Assert.Contains($"'{path}' does not exist", error.Message);
        Assert.Contains("reinstall", error.Message);
    }

    [Fact]
    public void ReadImageNetBackbone_WithATruncatedFile_SaysTheFileIsDamaged()
    {
        var path = _dir.Combine("truncated.onnx");
        using (var source = File.OpenRead(CntkResNet18.DefaultWeightsPath))
        using (var target = File.Create(path))
        {
            var head = new byte[5_000_000];
            source.ReadExactly(head);
            target.Write(head);
        }
        var error = Assert.Throws<ClassifierException>(() => CntkResNet18.ReadImageNetBackbone(path));
        Assert.StartsWith($"'{path}' is not a readable ONNX model", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    public void ReadImageNetBackbone_WithAnEmptyOrRandomFile_FailsNamingTheFile(int length)
    {
        var path = _dir.Combine("random.onnx");
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ClassifierException>(() => CntkResNet18.ReadImageNetBackbone(path));
        Assert.Contains($"'{path}'", error.Message);
    }

    [Fact]
    public void ReadImageNetBackbone_WithAnotherOnnxGraph_SaysWhatItExpected()
    {
        var other = Path.Combine(AppContext.BaseDirectory, "pretrained", "resnet-preprocess.onnx");
        var error = Assert.Throws<ClassifierException>(() => CntkResNet18.ReadImageNetBackbone(other));
        Assert.Equal($"'{other}' is not the CNTK ResNet18 graph of Microsoft.ML.DnnImageFeaturizer.ResNet18: expected 22 Conv " +
            "and 22 BatchNormalization nodes, found 0 and 0.", error.Message);
    }

    [Fact]
    public void Import_WhenTheProjectionShortcutFollowsTheBlocksFirstConv_RefusesByShapeInsteadOfLoadingWrongly()
    {
        // Stage 2's first block computes its 1x1 projection before its first 3x3 conv; put it after instead.
        var nodes = _weights.Graph.Nodes.ToList();
        int projection = nodes.FindIndex(n => n.OpType == "Conv" && _weights.Graph.Initializers[n.Inputs[1]].Dims[2] == 1);
        int firstConv = nodes.FindIndex(projection + 1, n => n.OpType == "Conv");
        (nodes[projection], nodes[firstConv]) = (nodes[firstConv], nodes[projection]);
        var error = Assert.Throws<ClassifierException>(() =>
            CntkWeightImport.ToTorchVision(_weights.Graph with { Nodes = nodes }, "x.onnx"));
        Assert.Matches(@"'Parameter\d+' \(for layer2\.0\.downsample\.0\.weight\) has shape \[128, 64, 3, 3\] instead of \[128, 64, 1, 1\]", error.Message);
    }

    [Fact]
    public void Import_WithABatchNormEpsilonOtherThanTorchs_Refuses()
    {
        var nodes = _weights.Graph.Nodes.Select(n => n.OpType == "BatchNormalization" && n.Outputs[0].EndsWith("251_Output_0", StringComparison.Ordinal)
            ? n with { Attributes = new Dictionary<string, OnnxAttribute> { ["epsilon"] = new(null, 1e-3f, [], []) } }
            : n).ToList();
        var error = Assert.Throws<ClassifierException>(() =>
            CntkWeightImport.ToTorchVision(_weights.Graph with { Nodes = nodes }, "x.onnx"));
        Assert.Contains("has epsilon 0.001 instead of 1E-05", error.Message);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(224)]
    [InlineData(256)]
    public void ValidateImageSize_AcceptsMultiplesOf32(int side) => CntkResNet18.ValidateImageSize(side);

    [Theory]
    [InlineData(100, "use 96 or 128")]
    [InlineData(225, "use 224 or 256")]
    [InlineData(28, "use 32")]
    [InlineData(0, "use 32")]
    [InlineData(-64, "use 32")]
    public void ValidateImageSize_RefusesOtherSides_SuggestingTheNearestMultiples(int side, string suggestion)
    {
        var error = Assert.Throws<ClassifierException>(() => CntkResNet18.ValidateImageSize(side));
        Assert.Contains($"--image-size {side} is not", error.Message);
        Assert.EndsWith(suggestion + ".", error.Message);
    }

    [Fact]
    public void Create_HasTorchvisionResnet18sParametersPlusOne512ChannelBlock()
    {
        using var network = CntkResNet18.Create(classCount: 1000);
        // torchvision resnet18: 11,689,512; one more basic block of 512 channels: 2 x (512 x 512 x 3 x 3 + 2 x 512).
        Assert.Equal(11_689_512 + 2 * (512 * 512 * 9 + 2 * 512), network.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Create_AtSmallSizes_GivesOneLogitPerClass()
    {
        using var scope = NewDisposeScope();
        using var network = CntkResNet18.Create(classCount: 3);
        network.eval();
        using (no_grad())
        {
            Assert.Equal([2, 3], network.call(randn(2, 3, 64, 64)).shape);
            Assert.Equal([1, 3], network.call(randn(1, 3, 32, 32)).shape);
        }
    }
}
