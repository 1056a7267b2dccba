using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>Read-only output folders, and links planted in a run folder.</summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertOneLineError(CliRun result, string expected)
    {
        Assert.True(result.ExitCode == ExitCodes.InputError, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task TrainPreviewAndEval_IntoReadOnlyFolders_ExitTwoWithOneLine()
    {
        var (data, run) = await TinyRun.TrainAsync(_dir);
        var locked = _dir.Combine("locked");
        var model = Path.Combine(locked, "model.cls");
        Directory.CreateDirectory(locked);
        File.Copy(Path.Combine(run, RunFolder.BestModelName), model);
        Directory.CreateDirectory(Path.Combine(locked, "empty"));

        CliRun newRun, emptyRun, preview, eval;
        using (new ReadOnlyFolder(Path.Combine(locked, "empty")))
        using (new ReadOnlyFolder(locked))
        {
            newRun = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "-o", Path.Combine(locked, "new"));
            emptyRun = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "-o", Path.Combine(locked, "empty"));
            preview = await CliRun.Of("train", data, "--preview-augment", "4", "--horizontal-flip", "-o", Path.Combine(locked, "empty"));
            eval = await CliRun.Of("eval", "--model", model, data);
        }

        AssertOneLineError(newRun, $"Cannot create the run folder '{Path.Combine(locked, "new")}'");
        AssertOneLineError(emptyRun, "Cannot write into the run folder");
        AssertOneLineError(preview, "augment-preview.png");
        AssertOneLineError(eval, $"Could not create the folder '{Path.Combine(locked, "eval-data")}'");
    }

    [Fact]
    public async Task Eval_IntoARunFolderWhoseEvalFolderIsALink_RefusesAndLeavesTheTargetAlone()
    {
        var (data, run) = await TinyRun.TrainAsync(_dir);
        var elsewhere = _dir.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "metrics.json"), "precious");
        var evalFolder = Path.Combine(run, "eval-data");
        if (Directory.Exists(evalFolder)) Directory.Delete(evalFolder, recursive: true);
        Directory.CreateSymbolicLink(evalFolder, elsewhere);

        var eval = await CliRun.Of("eval", "--model", run, data);

        AssertOneLineError(eval, $"'{evalFolder}' is a symbolic link");
        Assert.Equal("precious", File.ReadAllText(Path.Combine(elsewhere, "metrics.json")));
        Assert.Single(Directory.GetFiles(elsewhere));
    }

    [Fact]
    public async Task Resume_WithHistoryCsvLinkedElsewhere_ReplacesTheLink_NotTheLinkedFile()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var run = _dir.Combine("run");
        Assert.Equal(ExitCodes.Ok, (await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run)).ExitCode);
        var outside = _dir.Combine("outside.csv");
        File.WriteAllText(outside, "precious");
        var history = Path.Combine(run, RunFolder.HistoryName);
        File.Delete(history);
        File.CreateSymbolicLink(history, outside);

        var resume = await CliRun.Of("train", "--resume", run, "--epochs", "2");

        Assert.True(resume.ExitCode == ExitCodes.Ok, resume.ToString());
        Assert.Equal("precious", File.ReadAllText(outside));
        Assert.Null(new FileInfo(history).LinkTarget);
        Assert.Equal(3, File.ReadAllLines(history).Length);
    }
}
