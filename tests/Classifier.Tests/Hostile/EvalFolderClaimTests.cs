using System.Text.Json.Nodes;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Hostile;

/// <summary>
/// An eval folder belongs to one data folder and is claimed while it is written. A later eval of
/// another folder named <c>val</c> never overwrites the run's own <c>eval-val</c> (it gets <c>eval-val-2</c>, said on
/// stderr); an eval of the same data again replaces its own folder; a folder another eval is writing is not written into.
/// </summary>
public sealed class EvalFolderClaimTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string DataOf(string evalFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(evalFolder, EvaluationOutputs.MetricsName)))!["data"]!.GetValue<string>();

    private async Task<string> TrainWithValAsync(string valFolder)
    {
        var train = TestImages.StripesDataset(_dir.Combine("train"), classes: 2, perClass: 4, size: 24);
        TestImages.StripesDataset(valFolder, classes: 2, perClass: 3, size: 24);
        var run = _dir.Combine("run");
        var trained = await CliRun.Of("train", train, "--val", valFolder, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", run);
        Assert.True(trained.ExitCode == ExitCodes.Ok, trained.ToString());
        return run;
    }

    [Fact]
    public async Task EvalOfAnotherFolderNamedVal_GetsItsOwnFolder_AndTheSameFolderAgainReplacesItsOwn()
    {
        var ownVal = _dir.Combine("a", "val");
        var run = await TrainWithValAsync(ownVal);
        var runEval = Path.Combine(run, "eval-val");
        Assert.Equal(Path.GetFullPath(ownVal), DataOf(runEval));
        var other = TestImages.StripesDataset(_dir.Combine("b", "val"), classes: 2, perClass: 2, size: 24);

        var first = await CliRun.Of("eval", "--model", run, other);
        var again = await CliRun.Of("eval", "--model", run, other);
        var own = await CliRun.Of("eval", "--model", run, ownVal);

        Assert.True(first.ExitCode == ExitCodes.Ok, first.ToString());
        Assert.Contains("eval-val-2", first.Error);
        Assert.Contains("holds the evaluation of another data folder", first.Error);
        Assert.Equal(Path.GetFullPath(ownVal), DataOf(runEval));
        Assert.Equal(Path.GetFullPath(other), DataOf(Path.Combine(run, "eval-val-2")));
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.Contains("eval-val-2", again.Out + again.Error);
        Assert.True(own.ExitCode == ExitCodes.Ok, own.ToString());
        Assert.DoesNotContain("note:", own.Error);
        Assert.Equal(["eval-val", "eval-val-2"],
            Directory.GetDirectories(run, "eval-*").Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray());
        // Every file of eval-val-2 is of the other folder's 4 images, none of the run's 6.
        Assert.Equal(4, JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-val-2", "metrics.json")))!["images"]!.GetValue<int>());
        foreach (var line in File.ReadLines(Path.Combine(run, "eval-val-2", "misclassified.csv")).Skip(1))
            Assert.StartsWith(Path.GetFullPath(other), line.TrimStart('"'));
    }

    [Fact]
    public async Task AnEvalFolderAnotherEvalIsWriting_IsNotWrittenInto()
    {
        var val = _dir.Combine("a", "val");
        var run = await TrainWithValAsync(val);
        var runEval = Path.Combine(run, "eval-val");
        var before = File.ReadAllBytes(Path.Combine(runEval, "metrics.json"));

        // Another classify eval holds the claim (the same lock the eval takes; flock conflicts within one process too).
        using (var held = RunLock.TryTake(runEval, EvaluationFolder.LockName))
        {
            Assert.NotNull(held);
            var named = await CliRun.Of("eval", "--model", run, val, "-o", runEval);
            var byDefault = await CliRun.Of("eval", "--model", run, val);

            Assert.True(named.ExitCode == ExitCodes.InputError, named.ToString());
            Assert.Contains("is in use by another classify eval", named.Error);
            Assert.DoesNotContain("   at ", named.Error);
            Assert.True(byDefault.ExitCode == ExitCodes.Ok, byDefault.ToString());
            Assert.Contains("eval-val-2", byDefault.Error);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(runEval, "metrics.json")));
        }
    }
}
