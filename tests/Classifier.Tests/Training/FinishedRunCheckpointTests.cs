using Classifier.Cli;
using Classifier.Core.Runs;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

/// <summary>
/// <c>--slim-last</c>: a finished run's last.cls without the optimizer state, for run folders that will not be
/// continued (a CI job that trains once). What stays usable and what is given up.
/// </summary>
public sealed class SlimLastTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SlimLast_ShrinksLastCls_KeepsItsWeightsForEvalPredictAndExport_AndResumeSaysWhyItCannot()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        string[] common = ["train", data, "--image-size", "24", "--epochs", "2", "-b", "4", "--threads", "1"];
        var full = _dir.Combine("full");
        var slim = _dir.Combine("slim");
        var fullRun = await CliRun.Of([.. common, "-o", full]);
        var slimRun = await CliRun.Of([.. common, "--slim-last", "-o", slim]);
        Assert.True(fullRun.ExitCode == 0, fullRun.ToString());
        Assert.True(slimRun.ExitCode == 0, slimRun.ToString());

        // Adam's two moments are twice the weights: without them last.cls is about a third of the full one.
        long fullLast = new FileInfo(Path.Combine(full, RunFolder.LastModelName)).Length;
        long slimLast = new FileInfo(Path.Combine(slim, RunFolder.LastModelName)).Length;
        long slimBest = new FileInfo(Path.Combine(slim, RunFolder.BestModelName)).Length;
        Assert.True(slimLast * 2 < fullLast, $"slim last.cls {slimLast} bytes, full {fullLast}");
        Assert.InRange(slimLast, slimBest, slimBest + 64 * 1024);
        Assert.Contains("without optimizer state", slimRun.Out);
        Assert.Equal(
            HistoryCsv.Read(Path.Combine(full, RunFolder.HistoryName)).Select(r => (r.Loss, r.ValLoss)),
            HistoryCsv.Read(Path.Combine(slim, RunFolder.HistoryName)).Select(r => (r.Loss, r.ValLoss)));

        // The same weights as the full run's last.cls: eval, predict and export work on both model files.
        var image = Directory.EnumerateFiles(data, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var fullPredict = await CliRun.Of("predict", "-m", Path.Combine(full, RunFolder.LastModelName), image, "--format", "csv");
        Assert.True(fullPredict.ExitCode == 0, fullPredict.ToString());
        foreach (var model in new[] { RunFolder.LastModelName, RunFolder.BestModelName })
        {
            var path = Path.Combine(slim, model);
            var eval = await CliRun.Of("eval", "-m", path, data);
            Assert.True(eval.ExitCode == 0, eval.ToString());
            var predict = await CliRun.Of("predict", "-m", path, image, "--format", "csv");
            Assert.True(predict.ExitCode == 0, predict.ToString());
            if (model == RunFolder.LastModelName) Assert.Equal(fullPredict.Out, predict.Out);
            var export = await CliRun.Of("export", "-m", path, "-o", _dir.Combine($"{model}.safetensors"));
            Assert.True(export.ExitCode == 0, export.ToString());
        }

        // Resuming or extending needs the optimizer state: refused with the reason, and nothing in the run changes.
        var history = File.ReadAllBytes(Path.Combine(slim, RunFolder.HistoryName));
        var resume = await CliRun.Of("train", "--resume", slim, "--epochs", "3");
        Assert.Equal(ExitCodes.InputError, resume.ExitCode);
        Assert.Contains("without its optimizer state", resume.Error);
        Assert.Contains("--slim-last", resume.Error);
        Assert.Equal(history, File.ReadAllBytes(Path.Combine(slim, RunFolder.HistoryName)));
        Assert.Equal(slimLast, new FileInfo(Path.Combine(slim, RunFolder.LastModelName)).Length);

        // The full run extends as before.
        var extended = await CliRun.Of("train", "--resume", full, "--epochs", "3");
        Assert.True(extended.ExitCode == 0, extended.ToString());
    }
}
