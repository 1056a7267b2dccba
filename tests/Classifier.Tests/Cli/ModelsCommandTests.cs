using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Model.Zoo;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task Models_ListsEveryNetwork_WithParametersInputAndPreprocessing()
    {
        var run = await CliRun.Of("models");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var lines = run.Out.Split('\n');
        // The first table, one line per network (the weights table below names networks again).
        var resnet18 = lines.First(l => l.StartsWith("resnet18 ", StringComparison.Ordinal));
        Assert.Contains("11,689,512", resnet18);
        Assert.Contains("224", resnet18);
        Assert.Contains("mean 0.485/0.456/0.406", resnet18);
        foreach (var name in NetworkRegistry.Names)
            Assert.Contains(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelsAsJson_GivesOneObjectPerNetwork_ForScripts()
    {
        var run = await CliRun.Of("models", "--format", "json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var mobile = json.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "mobilenet_v3_small");
        Assert.Equal(2_542_856, mobile.GetProperty("parameters").GetInt64());
        Assert.Equal(224, mobile.GetProperty("default_image_size").GetInt32());
        Assert.Equal("rgb", mobile.GetProperty("preprocessing").GetProperty("channel_order").GetString());
        Assert.Equal("classifier", mobile.GetProperty("head").GetString());
    }

    [Fact]
    public async Task TrainWithImageNetWeights_ForAModelWithoutThem_FailsWithAOneLineHint()
    {
        using var dir = new TempDir();
        var data = TestImages.StripesDataset(dir.Combine("data"), classes: 2, perClass: 4, size: 32);

        var run = await CliRun.Of("train", data, "--model", "seed-cnn", "--weights", "imagenet", "-o", dir.Combine("run"));

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("resnet18-cntk", run.Error);
        Assert.False(Directory.Exists(dir.Combine("run")));
    }
}
