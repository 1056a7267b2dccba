using Classifier.Core;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Reporting;

public sealed class RunSummaryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Run(string name, string options, params (double ValAccuracy, double ValLoss)[] epochs)
    {
        var folder = _dir.Combine("sweep", name);
        Directory.CreateDirectory(folder);
        HistoryCsv.Write(Path.Combine(folder, RunFolder.HistoryName),
            epochs.Select((e, i) => new HistoryRow(i + 1, 0.5, 1.0, e.ValAccuracy, e.ValLoss, 0.001, 10)));
        File.WriteAllText(Path.Combine(folder, RunFolder.OptionsName), options);
        return folder;
    }

    [Fact]
    public void Find_ListsTheRunsOfAFolder_BestValidationAccuracyFirst_WithTheMonitoredBestEpoch()
    {
        Run("a", """{"learning-rate": 0.001, "monitor": "val_loss", "output": "x", "augment": {"horizontal-flip": false}}""",
            (0.60, 1.0), (0.70, 0.8), (0.65, 0.9));
        Run("b", """{"learning-rate": 0.003, "monitor": "val_accuracy", "output": "y", "augment": {"horizontal-flip": false}}""",
            (0.75, 0.7), (0.80, 0.75));
        Directory.CreateDirectory(_dir.Combine("sweep", "not-a-run"));

        var runs = RunSummary.Find([_dir.Combine("sweep")]);

        Assert.Equal(["b", "a"], runs.Select(r => Path.GetFileName(r.Folder)));
        Assert.Equal(2, runs[0].Best.Epoch);       // val_accuracy monitored: the highest
        Assert.Equal(2, runs[1].Best.Epoch);       // val_loss monitored: the lowest
        Assert.Equal(3, runs[1].LastEpoch);
        Assert.Equal(30, runs[1].Seconds);
        // The output folder always differs and is left out; equal options are left out.
        Assert.Equal(["learning-rate", "monitor"], RunSummary.DifferingOptions(runs));
    }

    [Fact]
    public void Find_WithAFolderThatHoldsNoRun_SaysSo()
    {
        Directory.CreateDirectory(_dir.Combine("empty"));

        var e = Assert.Throws<ClassifierException>(() => RunSummary.Find([_dir.Combine("empty")]));

        Assert.Contains("neither a run folder nor a folder of runs", e.Message);
    }
}
