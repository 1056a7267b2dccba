using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

public sealed class EcosystemCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Version_PrintsToolTorchSharpAndLibtorchVersions()
    {
        var run = await CliRun.Of("--version");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^classify \d+\.\d+\.\d+$", lines[0]);
        Assert.Equal("TorchSharp 0.107.0", lines[1]);
        Assert.StartsWith("libtorch 2.10.0 (loaded", lines[2]);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    public async Task DeviceCuda_WhereThereIsNoCuda_IsAClearInputErrorNamingTheOption(string verb)
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 3, size: 22);
        var run = _dir.Combine("run");
        string[] args = verb == "train"
            ? ["train", data, "--image-size", "22", "--device", "cuda", "-o", run]
            : ["eval", "--model", _dir.Combine("any.cls"), data, "--device", "cuda"];
        if (verb == "eval")
        {
            var trained = await CliRun.Of("train", data, "--image-size", "22", "--epochs", "1", "-o", run);
            Assert.True(trained.ExitCode == 0, trained.ToString());
            args[2] = run;
        }

        var result = await CliRun.Of(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--device cuda", result.Error);
        Assert.Contains("--device cpu", result.Error);
        if (verb == "train") Assert.False(Directory.Exists(run), "no run folder is created for a refused device");
    }

    [Fact]
    public async Task DeviceOption_AcceptsOnlyAutoCpuOrCuda()
    {
        var run = await CliRun.Of("train", _dir.Path, "--device", "gpu");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("gpu", run.Error);
    }

    [Fact]
    public async Task SuggestDirective_CompletesVerbsOptionsAndValues()
    {
        var verbs = await CliRun.Of("[suggest:10]", "classify e");
        Assert.Equal(["eval", "export"], Lines(verbs.Out).Where(l => !l.StartsWith('-')));

        var values = await CliRun.Of("[suggest:31]", "classify export -m x --format ");
        Assert.Equal(["onnx", "pt", "safetensors"], Lines(values.Out));

        var options = await CliRun.Of("[suggest:19]", "classify train --te");
        Assert.Equal(["--tensorboard"], Lines(options.Out));
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
