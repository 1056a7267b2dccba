using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Export;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Export;

public sealed class ExportMetadataTests
{
    public ExportMetadataTests() => TorchRuntime.Initialize();

    [Theory]
    [InlineData("resnet18", "torchvision.models.resnet18(num_classes=3)")]
    [InlineData("resnet18-cntk", "torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=3)")]
    [InlineData("resnet-2223", "torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=3)")]
    [InlineData("resnet50", "torchvision.models.resnet50(num_classes=3)")]
    [InlineData("mobilenet_v2", "torchvision.models.mobilenet_v2(num_classes=3)")]
    [InlineData("mobilenet_v3_small", "torchvision.models.mobilenet_v3_small(num_classes=3)")]
    public void TorchVisionModel_NamesTheCallThatBuildsTheSameNetwork(string architecture, string expected)
    {
        using var network = ZooNetworks.Create(architecture, 3);

        var metadata = ExportMetadata.For(Info(architecture), network).ToDictionary();

        Assert.Equal(expected, metadata["torchvision_model"]);
        Assert.Equal(architecture.StartsWith("mobilenet_v3", StringComparison.Ordinal), metadata.ContainsKey("pytorch_adjustment"));
    }

    [Fact]
    public void SeedCnn_HasNoTorchVisionModel_AndItsPreprocessingSaysRgbWithoutMeanOrStd()
    {
        using var network = new SeedCnn(3, 28);

        var metadata = ExportMetadata.For(Info("seed-cnn"), network).ToDictionary();

        Assert.False(metadata.ContainsKey("torchvision_model"));
        using var preprocessing = JsonDocument.Parse(metadata["preprocessing"]);
        Assert.Equal("RGB", preprocessing.RootElement.GetProperty("channel_order").GetString());
        Assert.Equal([0f, 0f, 0f], preprocessing.RootElement.GetProperty("mean").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal([1f, 1f, 1f], preprocessing.RootElement.GetProperty("std").EnumerateArray().Select(e => e.GetSingle()));
    }

    [Fact]
    public void Safetensors_KeepsBatchNormCountersAsInt64Scalars_AsPyTorchHasThem()
    {
        using var network = ZooNetworks.Create("resnet18", 3);
        using var stream = new MemoryStream();

        PyTorchExport.WriteSafetensors(stream, network, Info("resnet18"));

        var bytes = stream.ToArray();
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)BitConverter.ToInt64(bytes, 0)));
        var counter = header.RootElement.GetProperty("bn1.num_batches_tracked");
        Assert.Equal("I64", counter.GetProperty("dtype").GetString());
        Assert.Equal(0, counter.GetProperty("shape").GetArrayLength());
        Assert.Equal(122, header.RootElement.EnumerateObject().Count(p => p.Name != "__metadata__"));
    }

    private static ModelInfo Info(string architecture) => new(architecture, ["a", "b", "c"],
        new Preprocessing(64, Interpolation.Bilinear, 1f / 255), 1, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);
}
