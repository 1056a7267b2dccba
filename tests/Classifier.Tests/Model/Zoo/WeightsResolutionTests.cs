using Classifier.Core;
using Classifier.Core.Model.Zoo;

namespace Classifier.Tests.Model.Zoo;

/// <summary>How a --weights value and a models --fetch name are read, for every network of the zoo.</summary>
public sealed class WeightsResolutionTests
{
    [Theory]
    [InlineData("resnet18", "imagenet1k-v1", "resnet18-f37072fd.pth")]
    [InlineData("resnet34", "imagenet1k-v1", "resnet34-b627a593.pth")]
    [InlineData("resnet50", "imagenet1k-v2", "resnet50-11ad3fa6.pth")]
    [InlineData("mobilenet_v2", "imagenet1k-v2", "mobilenet_v2-7ebf99e0.pth")]
    [InlineData("mobilenet_v3_small", "imagenet1k-v1", "mobilenet_v3_small-047dcff4.pth")]
    [InlineData("mobilenet_v3_large", "imagenet1k-v2", "mobilenet_v3_large-5c1a4163.pth")]
    public void Imagenet_IsTorchVisionsDefault(string network, string set, string file)
    {
        var resolved = PretrainedWeights.Resolve("imagenet", NetworkRegistry.Get(network));

        Assert.Equal(StartingWeightsKind.TorchVision, resolved.Kind);
        Assert.Equal(set, resolved.Name);
        Assert.Equal(file, resolved.FileName);
        Assert.True(resolved.TorchVision!.IsDefault);
        Assert.Equal(file[(file.LastIndexOf('-') + 1)..^4], resolved.TorchVision.HashPrefix);
        Assert.Equal(8, resolved.TorchVision.HashPrefix.Length);
    }

    [Theory]
    [InlineData("imagenet1k-v1", "resnet50-0676ba61.pth")]
    [InlineData("IMAGENET1K_V1", "resnet50-0676ba61.pth")]
    [InlineData("imagenet1k-v2", "resnet50-11ad3fa6.pth")]
    [InlineData("DEFAULT", "resnet50-11ad3fa6.pth")]
    public void NamedSet_PicksThatFile(string weights, string file)
    {
        Assert.Equal(file, PretrainedWeights.Resolve(weights, NetworkRegistry.Get("resnet50")).FileName);
    }

    [Fact]
    public void EveryTorchVisionNetwork_HasExactlyOneDefault()
    {
        foreach (var spec in NetworkRegistry.All.Where(s => s.TorchVisionWeights.Count > 0))
        {
            Assert.Single(spec.TorchVisionWeights, w => w.IsDefault);
            Assert.All(spec.TorchVisionWeights, w => Assert.Equal(spec.Name, w.Network));
        }
    }

    [Fact]
    public void SetThatDoesNotExist_NamesTheOnesThatDo()
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Resolve("imagenet1k-v2", NetworkRegistry.Get("resnet18")));

        Assert.Contains("imagenet1k-v1", e.Message);
        Assert.Contains("classify models", e.Message);
    }

    [Fact]
    public void Imagenet_OnTheSeedCnn_NamesTheNetworksThatHaveWeights()
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Resolve("imagenet", NetworkRegistry.Get("seed-cnn")));

        Assert.Contains("seed-cnn", e.Message);
        Assert.Contains("mobilenet_v3_small", e.Message);
        Assert.Contains("resnet18-cntk", e.Message);
    }

    [Fact]
    public void Imagenet_OnResnet18Cntk_StaysBuiltIn()
    {
        var resolved = PretrainedWeights.Resolve("imagenet", NetworkRegistry.Get("resnet18-cntk"));

        Assert.Equal(StartingWeightsKind.BuiltIn, resolved.Kind);
        Assert.Equal("imagenet", resolved.Name);
    }

    [Fact]
    public void MissingFile_IsStillAFileError()
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Resolve("no-such.pth", NetworkRegistry.Get("resnet18")));

        Assert.Contains("'no-such.pth' does not exist", e.Message);
    }

    [Fact]
    public void FetchNames_Network_NetworkColonSet_AndAll()
    {
        Assert.Equal(["resnet50-11ad3fa6.pth"], PretrainedWeights.Select("resnet50").Select(w => w.FileName));
        Assert.Equal(["resnet50-0676ba61.pth"], PretrainedWeights.Select("resnet50:imagenet1k-v1").Select(w => w.FileName));
        var all = PretrainedWeights.Select("all");
        Assert.Equal(9, all.Count);
        Assert.Equal(all.Count, all.Select(w => w.FileName).Distinct().Count());
    }

    [Theory]
    [InlineData("resnet18-cntk", "built in")]
    [InlineData("seed-cnn", "publishes no weights")]
    [InlineData("resnet18:foo", "'foo' is not a weight set")]
    [InlineData("resnet18:imagenet1k-v2", "imagenet1k-v1")]
    [InlineData("resnet19", "unknown network")]
    public void BadFetchName_IsOneMessage(string request, string expected)
    {
        var e = Assert.Throws<ClassifierException>(() => PretrainedWeights.Select(request));

        Assert.Contains(expected, e.Message);
    }
}
