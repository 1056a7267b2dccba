using Classifier.Core;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Classifier.Tests.Model.Zoo;

public sealed class SeedCnnTests
{
    public SeedCnnTests() => TorchRuntime.Initialize();

    [Fact]
    public void At224PixelsWithFiveClasses_HasTheParameterCountKerasReports()
    {
        using var model = new SeedCnn(5, 224);
        Assert.Equal(44_398_661, model.ParameterCount());
        Assert.Equal(44_398_661, SeedCnn.Summary(224, 5).TotalParameters);
    }

    [Theory]
    [InlineData(28, 10)]
    [InlineData(64, 3)]
    [InlineData(22, 2)]
    public void Forward_GivesOneLogitPerClass_AndTheSummaryMatchesTheNetwork(int size, int classes)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new SeedCnn(classes, size);
        model.eval();
        var logits = model.forward(torch.rand(4, 3, size, size));
        Assert.Equal(new long[] { 4, classes }, logits.shape);
        Assert.Equal(model.ParameterCount(), SeedCnn.Summary(size, classes).TotalParameters);
    }

    [Fact]
    public void Summary_ShowsKerasShapesForEachBlock()
    {
        var rows = SeedCnn.Summary(224, 5).Rows;
        Assert.Equal([32, 222, 222], rows.Single(r => r.Name == "conv1").OutputShape);
        Assert.Equal([128, 26, 26], rows.Single(r => r.Name == "pool3").OutputShape);
        Assert.Equal([86528], rows.Single(r => r.Name == "flatten").OutputShape);
        Assert.Contains("44,398,661", SeedCnn.Summary(224, 5).ToText());
    }

    [Fact]
    public void TooSmallAnImage_IsRefusedNamingTheMinimum()
    {
        var e = Assert.Throws<ClassifierException>(() => new SeedCnn(3, 21));
        Assert.Contains("22", e.Message);
        Assert.Contains("--image-size", e.Message);
    }

    [Fact]
    public void Weights_StartGlorotUniform_AndBiasesZero()
    {
        using var model = new SeedCnn(10, 28);
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not Linear linear) continue;
            long fanIn = linear.weight.shape[1], fanOut = linear.weight.shape[0];
            double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            double max = linear.weight.abs().max().item<float>();
            Assert.True(max <= bound + 1e-6 && max > bound * 0.9, $"{name}: max |w| {max} vs bound {bound}");
            Assert.Equal(0f, linear.bias!.abs().sum().item<float>());
        }
    }
}
