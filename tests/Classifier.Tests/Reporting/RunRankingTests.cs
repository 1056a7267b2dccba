using System.Text.Json;
using Classifier.Core;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Reporting;

/// <summary>
/// <c>classify runs</c>' ranking on generated run folders: grouped by data folder, ranked by the test evaluation when
/// every run has one, else by validation accuracy, or by <c>--by</c>.
/// </summary>
public sealed class RunRankingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Rank_WhenEveryRunHasATestEvaluation_RanksByIt_NotByValidationAccuracy()
    {
        // The case: seed64 0.835 val was ranked above tl-bn 0.830 val, though tl-bn won 0.848 to 0.792 on test.
        var runs = Read(
            RunFolders.Write(_dir.Combine("runs"), "seed64", "/data/fashion", valAccuracy: 0.835, evaluations: new() { ["test"] = 0.792 }),
            RunFolders.Write(_dir.Combine("runs"), "tl-bn", "/data/fashion", valAccuracy: 0.830, evaluations: new() { ["test"] = 0.848 }));

        var group = Assert.Single(RunRanking.Rank(runs));

        Assert.Equal("eval:test", group.Metric.Name);
        Assert.Equal(["tl-bn", "seed64"], group.Runs.Select(r => Path.GetFileName(r.Run.Folder)));
        Assert.Equal([1, 2], group.Runs.Select(r => r.Rank));
        Assert.Equal([0.848, 0.792], group.Runs.Select(r => r.Score));
        Assert.Empty(group.Notes);
        // By validation accuracy when asked: the other order.
        Assert.Equal(["seed64", "tl-bn"], Assert.Single(RunRanking.Rank(runs, RankMetric.ValAccuracy)).Runs.Select(r => Path.GetFileName(r.Run.Folder)));
    }

    [Fact]
    public void Rank_WhenARunHasNoTestEvaluation_FallsBackToValidationAccuracy_AndSaysWhich()
    {
        var runs = Read(
            RunFolders.Write(_dir.Combine("runs"), "a", "/data/fashion", valAccuracy: 0.70, evaluations: new() { ["test"] = 0.90 }),
            RunFolders.Write(_dir.Combine("runs"), "b", "/data/fashion", valAccuracy: 0.80));

        var group = Assert.Single(RunRanking.Rank(runs));

        Assert.Equal(RankMetric.ValAccuracy, group.Metric);
        Assert.Equal(["b", "a"], group.Runs.Select(r => Path.GetFileName(r.Run.Folder)));
        var note = Assert.Single(group.Notes);
        Assert.Contains("ranked by val_accuracy", note);
        Assert.Contains("b has no eval-test/", note);
    }

    [Fact]
    public void Rank_GroupsRunsByDataFolder_AndNeverRanksOneGroupAgainstAnother()
    {
        var root = _dir.Combine("runs");
        var runs = Read(
            RunFolders.Write(root, "cats-1", "/data/cats", valAccuracy: 0.60, learningRate: 0.001),
            RunFolders.Write(root, "fashion-1", "/data/fashion", valAccuracy: 0.95, learningRate: 0.001),
            RunFolders.Write(root, "cats-2", "/data/cats", valAccuracy: 0.65, learningRate: 0.003),
            RunFolders.Write(root, "fashion-val", "/data/fashion", valAccuracy: 0.99, validation: "/data/fashion-val"));

        var groups = RunRanking.Rank(runs);

        Assert.Equal([("/data/cats", null), ("/data/fashion", null), ("/data/fashion", "/data/fashion-val")],
            groups.Select(g => (g.DataFolder, g.ValidationFolder)));
        Assert.Equal(["cats-2", "cats-1"], groups[0].Runs.Select(r => Path.GetFileName(r.Run.Folder)));
        Assert.Equal([1, 2], groups[0].Runs.Select(r => r.Rank));
        // The 0.95 fashion run is first of its own group, not third behind nothing and first overall.
        Assert.Equal(1, Assert.Single(groups[1].Runs).Rank);
        Assert.Equal(1, Assert.Single(groups[2].Runs).Rank);
        // Only what differs inside a group is listed: the learning rate for the cats, nothing for a single run.
        Assert.Equal(["learning-rate"], groups[0].DifferingOptions);
        Assert.Empty(groups[1].DifferingOptions);
    }

    [Fact]
    public void Rank_ByValLoss_PutsTheLowestFirst_AndByAnEvaluation_ListsRunsWithoutItLastUnranked()
    {
        var root = _dir.Combine("runs");
        var runs = Read(
            RunFolders.Write(root, "a", "/data/x", valAccuracy: 0.80, valLoss: 0.50, evaluations: new() { ["holdout"] = 0.70 }),
            RunFolders.Write(root, "b", "/data/x", valAccuracy: 0.70, valLoss: 0.40),
            RunFolders.Write(root, "c", "/data/x", valAccuracy: 0.60, valLoss: 0.60, evaluations: new() { ["holdout"] = 0.75 }));

        Assert.Equal(["b", "a", "c"], Assert.Single(RunRanking.Rank(runs, RankMetric.ValLoss)).Runs.Select(r => Path.GetFileName(r.Run.Folder)));

        var byHoldout = Assert.Single(RunRanking.Rank(runs, RankMetric.Parse("eval:holdout")));
        Assert.Equal(["c", "a", "b"], byHoldout.Runs.Select(r => Path.GetFileName(r.Run.Folder)));
        Assert.Equal([1, 2, null], byHoldout.Runs.Select(r => r.Rank));
        Assert.Contains("b has no eval:holdout (no eval-holdout/metrics.json); listed last, unranked", Assert.Single(byHoldout.Notes));
    }

    [Fact]
    public void Rank_ByAnEvaluationOfDifferentFolders_SaysTheyDoNotCompare()
    {
        var root = _dir.Combine("runs");
        var runs = Read(
            RunFolders.Write(root, "a", "/data/x", valAccuracy: 0.8, evaluations: new() { ["test"] = 0.7 }, evalData: "/data/test-1"),
            RunFolders.Write(root, "b", "/data/x", valAccuracy: 0.7, evaluations: new() { ["test"] = 0.8 }, evalData: "/data/test-2"));

        var group = Assert.Single(RunRanking.Rank(runs));

        Assert.Contains(group.Notes, n => n.Contains("different folders") && n.Contains("/data/test-1: a") && n.Contains("/data/test-2: b"));
    }

    [Theory]
    [InlineData("accuracy")]
    [InlineData("eval:")]
    [InlineData("eval:../x")]
    public void Parse_WithSomethingElse_NamesTheMetricsItTakes(string text)
    {
        var e = Assert.Throws<ClassifierException>(() => RankMetric.Parse(text));

        Assert.Contains($"--by '{text}'", e.Message);
        Assert.Contains("val_accuracy, val_loss or eval:NAME", e.Message);
    }

    [Fact]
    public void Read_WithAnEvaluationThatIsNotJson_NamesTheFile()
    {
        var folder = RunFolders.Write(_dir.Combine("runs"), "a", "/data/x", valAccuracy: 0.8);
        Directory.CreateDirectory(Path.Combine(folder, "eval-test"));
        File.WriteAllText(Path.Combine(folder, "eval-test", "metrics.json"), "{ not json");

        var e = Assert.Throws<ClassifierException>(() => RunSummary.Read(folder));

        Assert.Contains(Path.Combine(folder, "eval-test", "metrics.json"), e.Message);
    }

    private static List<RunSummary> Read(params string[] folders) => folders.Select(RunSummary.Read).ToList();
}

/// <summary>Run folders as training and eval leave them, for <c>classify runs</c>: history.csv, options.json, eval-*/metrics.json.</summary>
internal static class RunFolders
{
    public static string Write(string root, string name, string data, double valAccuracy, double valLoss = 0.5, double learningRate = 0.001,
        string? validation = null, Dictionary<string, double>? evaluations = null, string? evalData = null, string? extraOptions = null)
    {
        var folder = Path.Combine(root, name);
        Directory.CreateDirectory(folder);
        HistoryCsv.Write(Path.Combine(folder, RunFolder.HistoryName),
            [new HistoryRow(1, 0.5, 1.2, valAccuracy - 0.1, valLoss + 0.1, learningRate, 12), new HistoryRow(2, 0.6, 1.0, valAccuracy, valLoss, learningRate, 13)]);
        var options = new Dictionary<string, object?>
        {
            ["data"] = data, ["val"] = validation, ["model"] = "seed-cnn", ["learning-rate"] = learningRate, ["output"] = folder,
        };
        var text = JsonSerializer.Serialize(options);
        if (extraOptions is not null) text = text.TrimEnd('}') + "," + extraOptions + "}";
        File.WriteAllText(Path.Combine(folder, RunFolder.OptionsName), text);
        foreach (var (evaluation, accuracy) in evaluations ?? [])
        {
            var eval = Path.Combine(folder, "eval-" + evaluation);
            Directory.CreateDirectory(eval);
            File.WriteAllText(Path.Combine(eval, "metrics.json"),
                JsonSerializer.Serialize(new { model = Path.Combine(folder, "best.cls"), data = evalData ?? "/data/" + evaluation, images = 1000, accuracy }));
        }
        return folder;
    }
}
