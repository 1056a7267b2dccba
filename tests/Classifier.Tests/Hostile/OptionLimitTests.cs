using System.Globalization;
using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>A pre-split folder with --validation-split, eval with nothing readable, extreme values.</summary>
public sealed class OptionLimitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--validation-split", "0.2")]
    [InlineData("--val", "VAL")]
    public async Task Train_OnAFolderSplitIntoTrainAndVal_WithAnotherValidationChoice_IsRefusedNamingTheLayout(string option, string value)
    {
        var root = _dir.Combine("split");
        TestImages.StripesDataset(Path.Combine(root, "train"), classes: 2, perClass: 3, size: 24);
        TestImages.StripesDataset(Path.Combine(root, "val"), classes: 2, perClass: 2, size: 24, seed: 2);
        if (value == "VAL") value = Path.Combine(root, "val");
        var run = _dir.Combine("run");

        var result = await CliRun.Of("train", root, option, value, "--image-size", "24", "--epochs", "1", "-o", run);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains($"is already split into 'train/' and 'val/', so with {option} their names would become the classes", result.Error);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task Eval_WhereNoImageCanBeRead_FailsWithExitTwo_AndMaxPixelsZeroIsRefused()
    {
        var (data, run) = await TinyRun.TrainAsync(_dir);
        var bad = _dir.Combine("bad");
        foreach (var name in new[] { "class_a", "class_b" }) BadFiles.TextAsImage(Path.Combine(bad, name, "x.png"));

        var unreadable = await CliRun.Of("eval", "--model", run, bad);
        var zero = await CliRun.Of("eval", "--model", run, data, "--max-pixels", "0");

        Assert.Equal(ExitCodes.InputError, unreadable.ExitCode);
        Assert.Contains("None of the 2 image file(s)", unreadable.Error);
        Assert.DoesNotContain("metrics", unreadable.Out);
        Assert.False(Directory.Exists(Path.Combine(run, "eval-bad")));
        Assert.Equal(ExitCodes.InputError, zero.ExitCode);
        Assert.Contains("--max-pixels 0: give a positive number", zero.Error);
    }

    [Fact]
    public async Task Predict_WithAHugeBatchSize_PredictsEveryFile()
    {
        var (data, run) = await TinyRun.TrainAsync(_dir);

        var result = await CliRun.Of("predict", "--model", run, Path.Combine(data, "class_a"), "--batch-size", "1000000000", "--format", "csv");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(5, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header and 4 rows
    }

    [Fact]
    public async Task Plot_OfAHistoryWithHugeAndNonFiniteValues_DrawsTheRest()
    {
        var history = _dir.Combine("history.csv");
        var rows = new List<HistoryRow>
        {
            new(1, 0.5, 1e308, 0.5, -1e308, 0.001, 1),
            new(2, 0.6, 1.0, double.NaN, 0.9, 0.001, 1),
            new(3, 0.7, 0.8, 0.7, 0.7, 0.001, 1),
        };
        HistoryCsv.Write(history, rows);
        Assert.Contains(1e308.ToString("R", CultureInfo.InvariantCulture), File.ReadAllText(history));

        var result = await CliRun.Of("plot", history, "-o", _dir.Combine("curves.png"));
        var overlay = await CliRun.Of("plot", history, history, "-o", _dir.Combine("overlay.png"));

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.True(overlay.ExitCode == ExitCodes.Ok, overlay.ToString());
        Assert.True(new FileInfo(_dir.Combine("curves.png")).Length > 1000);
    }
}
