using System.Diagnostics;
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

    [Fact]
    public void Help_DoesNotLoadLibtorch_ButVersionDoes()
    {
        // The dynamic loader lists every shared library it maps when LD_DEBUG=libs; a separate process is needed
        // because this test process has loaded libtorch long ago.
        Assert.DoesNotContain("libtorch_cpu.so", LoadedLibraries("--help"));
        Assert.DoesNotContain("libtorch_cpu.so", LoadedLibraries("train", "--help"));
        Assert.Contains("libtorch_cpu.so", LoadedLibraries("--version"));
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
        var suggested = Lines(verbs.Out).Where(l => !l.StartsWith('-')).ToList();
        Assert.Contains("eval", suggested);
        Assert.Contains("export", suggested);
        Assert.DoesNotContain("train", suggested); // no "e" in it

        var values = await CliRun.Of("[suggest:31]", "classify export -m x --format ");
        Assert.Equal(["onnx", "pt", "safetensors"], Lines(values.Out));

        var options = await CliRun.Of("[suggest:19]", "classify train --te");
        Assert.Equal(["--tensorboard"], Lines(options.Out));
    }

    /// <summary>The loader's trace of a real <c>classify</c> process (the CLI project's build of this configuration).</summary>
    private static string LoadedLibraries(params string[] args)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;
        var cli = Path.Combine(repository, "src", "Classifier.Cli", "bin", testOutput.Parent!.Name, testOutput.Name, "classify.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LD_DEBUG"] = "libs";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var trace = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("libc.so", trace);   // the trace is really there
        return trace + output.Result;
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
