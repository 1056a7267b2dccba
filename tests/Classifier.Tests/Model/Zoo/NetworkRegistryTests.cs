using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using static TorchSharp.torch;

namespace Classifier.Tests.Model.Zoo;

public sealed class NetworkRegistryTests
{
    public NetworkRegistryTests() => TorchRuntime.Initialize();

    /// <summary>The networks torchvision publishes weights for: their keys must be torchvision's (TorchVisionKeys/NAME.txt).</summary>
    public static TheoryData<string> TorchVisionNetworks => [.. NetworkRegistry.All.Where(s => s.TorchVisionWeights.Count > 0).Select(s => s.Name)];

    public static TheoryData<string> Networks => [.. NetworkRegistry.Names];

    [Theory]
    [MemberData(nameof(TorchVisionNetworks))]
    public void TorchVisionNetwork_HasExactlyPyTorchsStateDictKeysAndShapes(string name)
    {
        var expected = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Model", "Zoo", "TorchVisionKeys", name + ".txt"))
            .Where(l => !l.StartsWith('#')).ToList();
        manual_seed(1);
        using var network = NetworkRegistry.Get(name).Create(7, 224);
        var actual = network.state_dict().Select(p => $"{p.Key} [{string.Join(", ", p.Value.shape)}]").ToList();
        // The same keys and shapes; the order differs (TorchSharp lists a module's parameters before its buffers),
        // which PyTorch's load_state_dict does not mind.
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Network_GivesOneLogitPerClass_AtTheSmallestAcceptedSize(string name)
    {
        var spec = NetworkRegistry.Get(name);
        manual_seed(1);
        using var network = spec.Create(3, spec.MinimumImageSize);
        network.eval();
        using var noGrad = no_grad();
        using var logits = network.call(rand(2, 3, spec.MinimumImageSize, spec.MinimumImageSize));
        Assert.Equal([2L, 3L], logits.shape);
    }

    [Fact]
    public void UnknownModelName_IsAnErrorListingTheKnownOnes()
    {
        var e = Assert.Throws<ClassifierException>(() => NetworkRegistry.Get("resnet19"));
        Assert.Contains("resnet19", e.Message);
        Assert.Contains("resnet18", e.Message);
        Assert.Contains("seed-cnn", e.Message);
    }

    [Fact]
    public void SeedCnn_IsTheDefault_AndKeepsTheNamePreZooFilesCarry()
    {
        Assert.Equal("seed-cnn", NetworkRegistry.DefaultName);
        Assert.Same(SeedCnn.Spec, NetworkRegistry.Get(NetworkRegistry.DefaultName));
        Assert.Equal(Preprocessing.Default, NetworkRegistry.Get("seed-cnn").Preprocessing(224));
    }

    [Fact]
    public void Summary_OfATorchVisionNetwork_CountsEveryParameter_AndMeasuresShapes()
    {
        manual_seed(1);
        using var network = NetworkRegistry.Get("resnet18").Create(4, 64);
        var summary = ModelSummary.Of(network, 64);
        Assert.Equal(network.parameters().Sum(p => p.numel()), summary.TotalParameters);
        Assert.Equal([512, 2, 2], summary.Rows.Single(r => r.Name == "layer4").OutputShape);
        Assert.Equal([4], summary.Rows.Single(r => r.Name == "fc").OutputShape);
    }
}
