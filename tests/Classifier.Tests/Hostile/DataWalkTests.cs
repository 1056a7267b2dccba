using System.Diagnostics;
using System.Text.Json;
using Classifier.Cli;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>Links that multiply data, names that are not UTF-8, entries that are not files.</summary>
public sealed class DataWalkTests : IDisposable
{
    private static readonly TimeSpan NoHang = TimeSpan.FromMinutes(2);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<CliRun> Run(params string[] args) => CliRun.Of(args).WaitAsync(NoHang);

    private static Task<CliRun> Train(string data, string run, params string[] extra) =>
        Run(["train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run, .. extra]);

    private static void Shell(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", script]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }

    private string TwoClasses(int perClass = 4)
    {
        var data = _dir.Combine("data");
        for (int i = 0; i < perClass; i++)
        {
            BadFiles.GoodPng(Path.Combine(data, "Bag", $"{i}.png"), i);
            BadFiles.GoodPng(Path.Combine(data, "Coat", $"{i}.png"), 100 + i);
        }
        return data;
    }

    private static int EvaluatedImages(CliRun eval)
    {
        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.ToString());
        using var json = JsonDocument.Parse(eval.Out);
        return json.RootElement.GetProperty("images").GetInt32();
    }

    [Fact]
    public async Task ALinkLoopReachedThroughAnotherLink_AndAFileUnderTwoNames_CountOnce()
    {
        var data = TwoClasses();
        var ext = _dir.Combine("ext");
        BadFiles.GoodPng(Path.Combine(ext, "extra.png"), 50);
        Directory.CreateSymbolicLink(Path.Combine(ext, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(data, "Bag", "ext"), "../../ext");
        Directory.CreateSymbolicLink(Path.Combine(data, "Bag", "ext2"), "../../ext");
        Shell($"ln '{Path.Combine(data, "Coat", "0.png")}' '{Path.Combine(data, "Coat", "hardlink.png")}'");
        File.CreateSymbolicLink(Path.Combine(data, "Coat", "symlink.png"), "1.png");
        var run = _dir.Combine("run");

        var train = await Train(data, run, "--validation-split", "0.4");
        var eval = await Run("eval", "--model", run, data, "--format", "json");
        var check = await Run("check", data, "--format", "json");
        var predict = await Run("predict", "--model", run, data, "--format", "csv");

        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.Equal(9, EvaluatedImages(eval)); // Bag 4 + extra.png once, Coat 4
        Assert.Equal(ExitCodes.Ok, check.ExitCode);
        using var checkJson = JsonDocument.Parse(check.Out);
        Assert.Equal(9, checkJson.RootElement.GetProperty("files").GetInt32());
        Assert.DoesNotContain("\"duplicate\"", check.Out);
        Assert.Equal(10, predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 9
    }

    [Fact]
    public async Task FifosDevicesAndProcFiles_AreReportedAsNotRegularFiles_WithoutHanging()
    {
        var data = TwoClasses();
        Shell($"mkfifo '{Path.Combine(data, "Bag", "x.png")}'");
        File.CreateSymbolicLink(Path.Combine(data, "Bag", "zero.png"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(data, "Coat", "env.png"), "/proc/self/environ");
        var run = _dir.Combine("run");

        var check = await Run("check", data);
        var train = await Train(data, run);
        var strict = await Train(data, _dir.Combine("strict"), "--strict");
        var eval = await Run("eval", "--model", run, data);
        var predict = await Run("predict", "--model", run, data, "--format", "csv");

        Assert.Equal(ExitCodes.ProblemsFound, check.ExitCode);
        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.Equal(ExitCodes.InputError, strict.ExitCode);
        Assert.Contains("not a regular file", strict.Error);
        foreach (var output in new[] { check.Out, train.Error, eval.Error, predict.Out })
        {
            Assert.Contains("x.png", output);
            Assert.Contains("not a regular file (a named pipe, FIFO)", output);
            Assert.Contains("not a regular file (a character device)", output);
            Assert.Contains("states 0 bytes but has content", output);
            Assert.DoesNotContain("empty file (0 bytes)", output);
        }
    }

    [Fact]
    public async Task NamesThatAreNotUtf8_AreNamedInWarnings_ErrorsWithStrict_AndTheSameInEveryVerb()
    {
        var data = TwoClasses();
        var coat = Path.Combine(data, "Coat");
        Shell($"cd '{coat}' && mkdir \"$(printf 'sub\\377')\" && cp 0.png \"$(printf 'sub\\377')/in.png\" && cp 1.png \"$(printf 'n\\376').png\"");
        var run = _dir.Combine("run");

        var check = await Run("check", data);
        var train = await Train(data, run);
        var strict = await Train(data, _dir.Combine("strict"), "--strict");
        var eval = await Run("eval", "--model", run, data);
        var predict = await Run("predict", "--model", run, coat, "--format", "csv");

        Assert.Equal(ExitCodes.ProblemsFound, check.ExitCode);
        Assert.True(train.ExitCode == ExitCodes.Ok, train.ToString());
        Assert.Equal(ExitCodes.InputError, strict.ExitCode);
        Assert.True(predict.ExitCode == ExitCodes.Ok, predict.ToString());
        foreach (var output in new[] { check.Out, train.Error, eval.Error, predict.Out, strict.Error })
            Assert.Contains("its name is not valid UTF-8", output);
        foreach (var output in new[] { check.Out, train.Error, eval.Error, predict.Out })
        {
            Assert.Contains("sub\uFFFD", output);
            Assert.Contains("n\uFFFD.png", output);
        }
        Assert.Equal(6, predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1); // 0-3.png and two error rows
    }

    [Fact]
    public async Task AClassFolderWhoseNameIsNotUtf8_IsAnErrorInTrainAndCheck_NotADroppedClass()
    {
        var data = TwoClasses();
        Shell($"cd '{data}' && mkdir \"$(printf 'c\\377')\" && cp Bag/0.png \"$(printf 'c\\377')/\"");

        var train = await Train(data, _dir.Combine("run"));
        var check = await Run("check", data);

        Assert.Equal(ExitCodes.InputError, train.ExitCode);
        Assert.Contains("Class folder '", train.Error);
        Assert.Contains("not valid UTF-8", train.Error);
        Assert.Equal(ExitCodes.ProblemsFound, check.ExitCode);
        Assert.Contains("c\uFFFD", check.Out);
    }
}
