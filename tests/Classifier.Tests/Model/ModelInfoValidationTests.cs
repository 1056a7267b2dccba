using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp;

namespace Classifier.Tests.Model;

public sealed class ModelInfoValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public ModelInfoValidationTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    private static ModelInfo Info(string architecture = "resnet18", int size = 32) => new(architecture, ["a", "b", "c"],
        Classifier.Core.Model.Zoo.NetworkRegistry.Get(architecture).Preprocessing(size), 1, new Dictionary<string, double>(), "test", "test", DateTime.UtcNow);

    /// <summary>A real model file whose info section is replaced by <paramref name="edit"/>'s version (checksum recomputed).</summary>
    private string Crafted(Action<JsonObject> edit)
    {
        var info = Info();
        torch.manual_seed(1);
        using var network = Classifier.Core.Model.Zoo.NetworkRegistry.Get("resnet18").Create(3, 32);
        var json = JsonSerializer.SerializeToNode(info)!.AsObject();
        edit(json);
        var path = _dir.Combine("crafted.cls");
        ModelFile.Save(path, network, JsonSerializer.Deserialize<ModelInfo>(json.ToJsonString())!);
        return path;
    }

    [Theory]
    [InlineData("ImageSize", 100000, "image size 100000")]
    [InlineData("ImageSize", 0, "image size 0")]
    [InlineData("Scale", -1, "scale -1")]
    public void CraftedPreprocessing_IsOneClearErrorNamingTheFile(string field, double value, string expected)
    {
        var path = Crafted(j => j["Preprocessing"]![field] = value);

        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CraftedStd_OfZero_IsRefused()
    {
        var path = Crafted(j => j["Preprocessing"]!["Std"] = new JsonArray(1, 0, 1));
        var e = Assert.Throws<ClassifierException>(() => ModelFile.ReadInfo(path));
        Assert.Contains("std", e.Message);
    }

    [Fact]
    public void UnknownArchitecture_NamesItAndTheKnownOnes()
    {
        var path = Crafted(j => j["Architecture"] = "vit_h_14");
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains("vit_h_14", e.Message);
        Assert.Contains("resnet18", e.Message);
    }

    [Fact]
    public void HyperparametersThatContradictTheClassNames_AreRefused()
    {
        var path = Crafted(j => j["Hyperparameters"] = new JsonObject { ["ClassCount"] = 1000, ["ImageSize"] = 32 });
        var e = Assert.Throws<ClassifierException>(() => ModelFile.Load(path));
        Assert.Contains("1000 outputs", e.Message);
    }

    [Fact]
    public void PreZooInfo_WithoutChannelOrderMeanOrStd_ReadsAsIdentity()
    {
        var json = """{"ImageSize":28,"Interpolation":"Nearest","Scale":0.003921569}""";
        var preprocessing = JsonSerializer.Deserialize<Preprocessing>(json)!;
        Assert.Equal(ChannelOrder.Rgb, preprocessing.ChannelOrder);
        Assert.Equal([0f, 0f, 0f], preprocessing.Mean);
        Assert.Equal([1f, 1f, 1f], preprocessing.Std);
        Assert.True(preprocessing.IsUnnormalized);
    }
}
