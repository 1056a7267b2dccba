using System.Globalization;
using System.Text.Json;
using Classifier.Cli;
using Classifier.Tests.Reporting;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary><c>classify runs</c> on generated run folders: the table a person reads, and CSV and JSON for scripts.</summary>
public sealed class RunsCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Runs_Table_FitsAHundredColumns_GroupsByData_AndShowsOnlyTheOptionsThatDiffer()
    {
        var root = _dir.Combine("runs");
        // A sweep with many differing options and long names, and a second data folder.
        for (int i = 0; i < 4; i++)
            RunFolders.Write(root, $"sweep-resnet18-cntk-lr-{i}-with-a-rather-long-name", "/data/fashion", valAccuracy: 0.70 + i / 100.0,
                learningRate: 0.001 * (i + 1), evaluations: new() { ["test"] = 0.80 - i / 100.0 },
                extraOptions: $"\"weight-decay\": {i * 0.01}, \"horizontal-flip\": {(i % 2 == 0 ? "true" : "false")}, \"zoom-range\": 0.{i}, \"seed\": {40 + i}, \"batch-size\": 32");
        RunFolders.Write(root, "cats", "/data/cats", valAccuracy: 0.99);

        var run = await CliRun.Of("runs", root);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} characters: '{l}'"));
        // The groups, each with its own heading and ranking; cats is alone in its group.
        Assert.StartsWith("/data/cats: 1 run by val_accuracy", lines[0]);
        int fashion = Array.FindIndex(lines, l => l.StartsWith("/data/fashion: 4 runs by eval:test", StringComparison.Ordinal));
        Assert.True(fashion > 0, run.Out);
        var header = lines[fashion + 1];
        Assert.Matches(@"^#\s+run\s+eval:test\s+val_accuracy\s+val_loss\s+epoch\s+seconds", header);
        // Ranked by test accuracy: run 0 (0.80) first, though its validation accuracy is the lowest.
        var rows = lines.Skip(fashion + 2).Where(l => char.IsDigit(l[0])).ToList();
        Assert.Equal(4, rows.Count);
        Assert.StartsWith("1  ...", rows[0]);
        Assert.Contains("0-with-a-rather-long-name", rows[0]);
        Assert.Contains("0.8000", rows[0]);
        // The differing options as name=value; the ones every run shares (batch size, model, data) are left out.
        var text = string.Join('\n', lines.Skip(fashion));
        foreach (var expected in new[] { "learning-rate=0.001", "weight-decay=0.03", "horizontal-flip=true", "zoom-range=0.2", "seed=43" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("batch-size", text);
        Assert.DoesNotContain("model=", text);
    }

    [Fact]
    public async Task Runs_CsvAndJson_CarryTheRankingAndEveryFigure_ForScripts()
    {
        var root = _dir.Combine("runs");
        RunFolders.Write(root, "seed64", "/data/fashion", valAccuracy: 0.835, evaluations: new() { ["test"] = 0.792 }, learningRate: 0.001);
        RunFolders.Write(root, "tl-bn", "/data/fashion", valAccuracy: 0.830, evaluations: new() { ["test"] = 0.848 }, learningRate: 0.003);

        var csv = await CliRun.Of("runs", root, "--format", "csv");
        var json = await CliRun.Of("runs", root, "--format", "json", "--by", "val_accuracy");

        Assert.True(csv.ExitCode == 0, csv.ToString());
        var rows = csv.Out.TrimEnd('\n').Split('\n').Select(l => l.Split(',')).ToList();
        var column = rows[0].Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i);
        Assert.Equal(["tl-bn", "seed64"], rows.Skip(1).Select(r => r[column["run"]]));
        Assert.Equal(["1", "2"], rows.Skip(1).Select(r => r[column["rank"]]));
        Assert.Equal(["eval:test", "eval:test"], rows.Skip(1).Select(r => r[column["ranked_by"]]));
        Assert.Equal(["0.8480", "0.7920"], rows.Skip(1).Select(r => r[column["score"]]));
        Assert.Equal(["0.8300", "0.8350"], rows.Skip(1).Select(r => r[column["val_accuracy"]]));
        Assert.Equal(["/data/fashion", "/data/fashion"], rows.Skip(1).Select(r => r[column["data"]]));
        Assert.Equal(["0.003", "0.001"], rows.Skip(1).Select(r => r[column["learning-rate"]]));

        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var runs = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["seed64", "tl-bn"], runs.Select(r => r.GetProperty("run").GetString()));
        Assert.All(runs, r => Assert.Equal("val_accuracy", r.GetProperty("ranked_by").GetString()));
        Assert.Equal(0.835, runs[0].GetProperty("score").GetDouble(), 9);
        Assert.Equal(0.792, runs[0].GetProperty("evaluations").GetProperty("test").GetProperty("accuracy").GetDouble(), 9);
        Assert.Equal(0.003, runs[1].GetProperty("options").GetProperty("learning-rate").GetDouble(), 9);
    }

    [Fact]
    public async Task Runs_ByAnUnknownMetric_IsAUsageErrorNamingTheChoices()
    {
        RunFolders.Write(_dir.Combine("runs"), "a", "/data/x", valAccuracy: 0.8);

        var run = await CliRun.Of("runs", _dir.Combine("runs"), "--by", "test_accuracy");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--by 'test_accuracy' is not a metric; give val_accuracy, val_loss or eval:NAME", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Runs_ByAnEvaluationSomeRunsLack_ListsThemLast_WithANote()
    {
        var root = _dir.Combine("runs");
        RunFolders.Write(root, "a", "/data/x", valAccuracy: 0.9);
        RunFolders.Write(root, "b", "/data/x", valAccuracy: 0.5, evaluations: new() { ["test"] = 0.6 });

        var run = await CliRun.Of("runs", root, "--by", "eval:test");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n');
        Assert.StartsWith("1  b", lines[2]);
        Assert.StartsWith("-  a", lines[3]);
        Assert.Contains(lines, l => l.StartsWith("note: a has no eval:test", StringComparison.Ordinal));
        Assert.Equal(0.6, double.Parse(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture));
    }
}
