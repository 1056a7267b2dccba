using Classifier.Core;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

public sealed class PretrainedWeightsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public PretrainedWeightsTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    private static nn.Module<Tensor, Tensor> Build(string name, int classes, int seed)
    {
        manual_seed(seed);
        return NetworkRegistry.Get(name).Create(classes, 32);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.to_type(ScalarType.Float64).equal(b.to_type(ScalarType.Float64)).all().item<bool>();

    [Fact]
    public void PthStateDict_WithTheDataClassCount_LoadsEveryTensor_AndKeepsTheHead()
    {
        var path = _dir.Combine("resnet18.pth");
        using (var source = Build("resnet18", 3, seed: 1)) source.save_py(path);
        using var expected = Build("resnet18", 3, seed: 1);
        using var target = Build("resnet18", 3, seed: 2);
        Assert.False(Same(expected.state_dict()["conv1.weight"], target.state_dict()["conv1.weight"]));

        var note = PretrainedWeights.Load(path, NetworkRegistry.Get("resnet18"), target);

        Assert.Contains("kept", note);
        foreach (var (key, tensor) in expected.state_dict())
            Assert.True(Same(tensor, target.state_dict()[key]), key);
    }

    [Fact]
    public void SafetensorsStateDict_WithAnotherClassCount_LoadsTheBackbone_AndReplacesTheHead()
    {
        var path = _dir.Combine("mobilenet.safetensors");
        using (var source = Build("mobilenet_v3_small", 5, seed: 1)) source.save_safetensors(path);
        using var expected = Build("mobilenet_v3_small", 5, seed: 1);
        using var target = Build("mobilenet_v3_small", 3, seed: 2);
        var freshHead = target.state_dict()["classifier.3.weight"].clone();

        var note = PretrainedWeights.Load(path, NetworkRegistry.Get("mobilenet_v3_small"), target);

        Assert.Contains("replaced", note);
        Assert.Contains("5 outputs", note);
        foreach (var (key, tensor) in target.state_dict())
        {
            if (key.StartsWith("classifier.3.", StringComparison.Ordinal)) continue;
            Assert.True(Same(expected.state_dict()[key], tensor), key);
        }
        Assert.True(Same(freshHead, target.state_dict()["classifier.3.weight"]));
        Assert.Equal([3L, 1024L], target.state_dict()["classifier.3.weight"].shape);
    }

    [Fact]
    public void StateDictOfAnotherArchitecture_IsOneErrorNamingTheFileAndTheKeys()
    {
        var path = _dir.Combine("resnet34.pth");
        using (var source = Build("resnet34", 3, seed: 1)) source.save_py(path);
        using var target = Build("resnet18", 3, seed: 2);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("resnet18"), target));

        Assert.Contains("resnet34.pth", e.Message);
        Assert.Contains("unexpected", e.Message);
        Assert.Contains("layer1.2.", e.Message);
    }

    [Fact]
    public void StateDictWithAMisshapedTensor_IsAnErrorNamingItAndBothShapes()
    {
        var path = _dir.Combine("wide.safetensors");
        using (var source = Build("resnet18", 3, seed: 1))
        {
            var dict = source.state_dict().ToDictionary(p => p.Key, p => p.Value);
            dict["conv1.weight"] = zeros(32, 3, 7, 7);
            Safetensors.SaveStateDict(File.Create(path), dict);
        }
        using var target = Build("resnet18", 3, seed: 2);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("resnet18"), target));

        Assert.Contains("conv1.weight [32, 3, 7, 7] (network [64, 3, 7, 7])", e.Message);
    }

    [Fact]
    public void FileThatIsNotAStateDict_IsAClearError()
    {
        var path = _dir.Combine("notes.pth");
        File.WriteAllText(path, "not a pickle");
        using var target = Build("resnet18", 3, seed: 2);

        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Load(path, NetworkRegistry.Get("resnet18"), target));

        Assert.Contains("notes.pth", e.Message);
        Assert.Contains("could not be read", e.Message);
    }

    [Fact]
    public void ImageNetWeights_ForAModelWithoutThem_AnswerWithAHintNamingTheAlternatives()
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.CheckSource("imagenet", NetworkRegistry.Get("seed-cnn")));

        Assert.Contains("resnet18-cntk", e.Message);
        Assert.Contains("--weights FILE", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void MissingWeightsFile_IsNamed()
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.CheckSource(_dir.Combine("nope.pth"), NetworkRegistry.Get("resnet18")));
        Assert.Contains("nope.pth", e.Message);
    }
}
