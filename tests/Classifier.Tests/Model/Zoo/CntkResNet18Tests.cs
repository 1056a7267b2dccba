using Classifier.Core.Data;
using Classifier.Core.Model.Pretrained;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

/// <summary>
/// The ImageNet weights of resnet18-cntk against the package's own ONNX graphs, run in ONNX Runtime: same features
/// on real images, every torchvision key filled once, the preprocessing constants read from the package.
/// </summary>
public sealed class CntkResNet18Tests : IClassFixture<ImageNetWeightsFixture>
{
    private const int Side = CntkResNet18.DefaultImageSize;
    private static readonly string PreprocessPath = Path.Combine(AppContext.BaseDirectory, "pretrained", "resnet-preprocess.onnx");
    private readonly ITestOutputHelper _output;
    private readonly ImageNetWeightsFixture _weights;

    public CntkResNet18Tests(ITestOutputHelper output, ImageNetWeightsFixture weights)
    {
        _output = output;
        _weights = weights;
        TorchRuntime.Initialize();
    }

    [Fact]
    public void ImageNetFeatures_OnRealImagesAt224_MatchThePackagesOnnxGraphInOnnxRuntimeWithin1e4()
    {
        // One image of each of four classes, decoded as the trainer does, RGB on the 0-255 scale, [N, 3, 224, 224].
        var images = ValImages(first: true, count: 4);
        var rgb = DecodeRgb(images);

        // The package's pipeline in ONNX Runtime, one image at a time (its graphs have a fixed batch of 1).
        int perImage = 3 * Side * Side;
        var preprocessed = PackagePreprocessing(rgb, images.Length);
        var expected = new float[images.Length * CntkResNet18.FeatureCount];
        using (var resnet = new InferenceSession(CntkResNet18.DefaultWeightsPath))
            for (int i = 0; i < images.Length; i++)   // Pooling395_Output_0 is [1, 512, 1, 1].
                Run(resnet, "Input247", preprocessed.AsSpan(i * perImage, perImage).ToArray(), "Pooling395_Output_0").CopyTo(expected, i * CntkResNet18.FeatureCount);

        // The same inputs through the imported TorchSharp network, all four in one batch.
        var actual = Features(preprocessed, images.Length);

        double maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine($"max |ORT - TorchSharp| over {actual.Length} features: {maxDifference:E2}; largest feature {expected.Max():F3}");
        Assert.True(maxDifference <= 1e-4, $"features differ by up to {maxDifference}");
        // The check means something only if the features are large and differ between images.
        Assert.True(expected.Max() > 1, "features are not trivially small");
        var first = expected.AsSpan(0, CntkResNet18.FeatureCount).ToArray();
        var second = expected.AsSpan(CntkResNet18.FeatureCount, CntkResNet18.FeatureCount).ToArray();
        Assert.True(first.Zip(second, (a, b) => Math.Abs(a - b)).Max() > 0.5, "different images give different features");
    }

    [Fact]
    public void ImageNetBackbone_FillsEveryTorchVisionKeyButTheHead_OnceAndWithTheNetworksShapes()
    {
        using var scope = NewDisposeScope();
        using var network = CntkResNet18.Create(classCount: 7);
        var backbone = _weights.Backbone;
        var stateDict = network.state_dict();

        Assert.Equal(stateDict.Keys.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            backbone.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, weight) in backbone)
        {
            Assert.Equal(stateDict[key].shape, weight.shape);
            Assert.Equal(stateDict[key].dtype, weight.dtype);
        }
        // 22 convolutions and 22 batch norms with 5 entries each, plus fc.weight and fc.bias in the network.
        Assert.Equal(22 + 22 * 5, backbone.Count);
        Assert.Equal(22 + 22 * 5 + 2, stateDict.Count);
        Assert.Equal(3, network.named_modules().Count(m => m.name.EndsWith("downsample", StringComparison.Ordinal)));
        Assert.Equal([64, 3, 7, 7], backbone["conv1.weight"].shape);
        Assert.Equal([512, 256, 1, 1], backbone["layer4.0.downsample.0.weight"].shape);
        Assert.Equal([512, 512, 3, 3], backbone["layer4.2.conv2.weight"].shape);

        // Each of the file's 110 initializers went to exactly one key: no value was used twice or left out.
        var graph = _weights.Graph;
        Assert.Equal(110, graph.Initializers.Count);
        var initializerSums = graph.Initializers.Values.Select(t => t.Values.ToArray().Sum(v => (double)v)).Order().ToArray();
        var keySums = backbone.Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(p => p.Value.to_type(ScalarType.Float64).sum().item<double>()).Order().ToArray();
        Assert.Equal(initializerSums.Length, keySums.Length);
        for (int i = 0; i < keySums.Length; i++) Assert.Equal(initializerSums[i], keySums[i], 1e-3);

        // Loading leaves only the head to initialise.
        var (missing, unexpected) = network.load_state_dict(backbone, strict: false);
        Assert.Equal(["fc.bias", "fc.weight"], missing.Order(StringComparer.Ordinal));
        Assert.Empty(unexpected);
        using (no_grad())
            Assert.Equal(0.0, (stateDict["layer3.1.bn2.running_var"] - backbone["layer3.1.bn2.running_var"]).abs().max().item<float>());
    }

    [Fact]
    public void PreprocessingConstants_AreThePackagesChannelOrderAndTheMeanImagesChannelAverages()
    {
        var graph = OnnxReader.Read(PreprocessPath);

        // Split RGB into three, concatenate them as B, G, R, subtract the mean image.
        var split = Assert.Single(graph.Nodes, n => n.OpType == "Split");
        var concat = Assert.Single(graph.Nodes, n => n.OpType == "Concat");
        Assert.Equal([split.Outputs[2], split.Outputs[1], split.Outputs[0]], concat.Inputs);
        Assert.Equal("BGR", CntkResNet18.ChannelOrder);
        var sub = Assert.Single(graph.Nodes, n => n.OpType == "Sub");
        var meanImage = graph.Initializers[sub.Inputs[1]];
        Assert.Equal([1, 3, Side, Side], meanImage.Dims);

        for (int channel = 0; channel < 3; channel++)
        {
            double average = meanImage.Values.Slice(channel * Side * Side, Side * Side).ToArray().Average(v => (double)v);
            _output.WriteLine($"channel {"BGR"[channel]}: mean {average:R}");
            Assert.Equal(average, CntkResNet18.MeanBgr[channel], 1e-4);
        }
        Assert.Equal(1f, CntkResNet18.PixelScale);
        Assert.Equal(1f, CntkResNet18.Std);
    }

    [Fact]
    public void ChannelMeans_InsteadOfTheMeanImage_GiveNearlyTheSameFeatures()
    {
        // What the model records (per-channel means) against what the package does (a mean image), on real images.
        var images = ValImages(first: false, count: 3);
        var rgb = DecodeRgb(images);
        int perImage = 3 * Side * Side;
        var withMeanImage = PackagePreprocessing(rgb, images.Length);
        var withChannelMeans = new float[rgb.Length];
        for (int i = 0; i < images.Length; i++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < Side * Side; p++)
                    withChannelMeans[i * perImage + c * Side * Side + p] = rgb[i * perImage + (2 - c) * Side * Side + p] - CntkResNet18.MeanBgr[c];

        var reference = Features(withMeanImage, images.Length);
        var recorded = Features(withChannelMeans, images.Length);

        for (int i = 0; i < images.Length; i++)
        {
            var a = reference.AsSpan(i * CntkResNet18.FeatureCount, CntkResNet18.FeatureCount).ToArray();
            var b = recorded.AsSpan(i * CntkResNet18.FeatureCount, CntkResNet18.FeatureCount).ToArray();
            double cosine = a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y));
            _output.WriteLine($"image {i}: cosine {cosine:F5}, max |difference| {a.Zip(b, (x, y) => Math.Abs(x - y)).Max():F4} (largest feature {a.Max():F3})");
            Assert.True(cosine > 0.99, $"image {i}: cosine similarity {cosine}");
        }
    }

    /// <summary>The first (or last) file of each of the sample's first <paramref name="count"/> validation classes, by name.</summary>
    private static string[] ValImages(bool first, int count) =>
        Directory.GetDirectories(Path.Combine(SampleData.FashionMini, "val")).Order(StringComparer.Ordinal)
            .Select(d => Directory.GetFiles(d).Order(StringComparer.Ordinal))
            .Select(files => first ? files.First() : files.Last()).Take(count).ToArray();

    /// <summary>The package's preprocessing graph (RGB to BGR minus its mean image) on each of <paramref name="count"/> images of <paramref name="rgb"/>.</summary>
    private static float[] PackagePreprocessing(float[] rgb, int count)
    {
        int perImage = 3 * Side * Side;
        var bgr = new float[rgb.Length];
        using var preprocess = new InferenceSession(PreprocessPath);
        for (int i = 0; i < count; i++)
            Run(preprocess, "OriginalInput", rgb.AsSpan(i * perImage, perImage).ToArray(), "PreprocessedInput").CopyTo(bgr, i * perImage);
        return bgr;
    }

    /// <summary>Images resized to 224 px (bilinear), RGB on the 0-255 scale, [N, 3, 224, 224] in C order.</summary>
    private static float[] DecodeRgb(string[] images)
    {
        var decoder = new ImageDecoder(new Preprocessing(Side, Interpolation.Bilinear, 1f));
        var pixels = new byte[decoder.Preprocessing.PixelBytes];
        var rgb = new float[images.Length * 3 * Side * Side];
        for (int i = 0; i < images.Length; i++)
        {
            Assert.True(decoder.TryDecode(images[i], pixels, out var error), error);
            // Decoded pixels are [H, W, RGB].
            for (int p = 0; p < Side * Side; p++)
                for (int c = 0; c < 3; c++)
                    rgb[(i * 3 + c) * Side * Side + p] = pixels[p * 3 + c];
        }
        return rgb;
    }

    /// <summary>The imported network's 512 features for preprocessed [N, 3, 224, 224] input.</summary>
    private float[] Features(float[] input, int count)
    {
        using var scope = NewDisposeScope();
        using var network = CntkResNet18.Create(CntkResNet18.FeatureCount);
        network.load_state_dict(_weights.Backbone, strict: false);
        using (no_grad())
        {
            // An identity head makes the logits the features: x I + 0 is exact in float arithmetic.
            var head = network.state_dict();
            head["fc.weight"].copy_(eye(CntkResNet18.FeatureCount));
            head["fc.bias"].zero_();
            network.eval();
            return network.call(tensor(input, [count, 3, Side, Side])).data<float>().ToArray();
        }
    }

    private static float[] Run(InferenceSession session, string inputName, float[] input, string outputName)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, Side, Side]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [value], [outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
