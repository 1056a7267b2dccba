using System.Text.Json.Nodes;
using Classifier.Core.Diagnostics;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Output;

/// <summary>
/// <c>train --log-format json</c>: one JSON object per epoch on stdout (JSON Lines) for scripts, with the
/// history.csv columns plus <c>epochs</c>, <c>best</c>, <c>peak_memory_bytes</c> (the process's peak resident memory so
/// far) and <c>run_folder_bytes</c> (the run folder's size with this epoch's checkpoints); the run folder and warnings
/// go to stderr. No progress lines, no carriage returns.
/// </summary>
internal sealed class JsonEpochLog(Terminal terminal) : ITrainingObserver
{
    private int _epochs;
    private string _runPath = "";

    public void OnTrainingStarted(TrainingStarted start)
    {
        _epochs = start.Options.Epochs;
        _runPath = start.Run.Path;
        terminal.Error.WriteLine($"Run folder: {start.Run.Path}");
        // Notes (starting weights, an optimizer that starts again) go to stderr: stdout holds only the epoch objects.
        if (start.WeightsNote is { } note) terminal.Error.WriteLine(note);
    }

    public void OnBatchCompleted(BatchProgress progress)
    {
    }

    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
        var json = new JsonObject
        {
            ["epoch"] = row.Epoch,
            ["epochs"] = _epochs,
            ["accuracy"] = Number(row.Accuracy),
            ["loss"] = Number(row.Loss),
            ["val_accuracy"] = Number(row.ValAccuracy),
            ["val_loss"] = Number(row.ValLoss),
            ["learning_rate"] = Number(row.LearningRate),
            ["seconds"] = Number(row.Seconds),
            ["best"] = isBest,
            ["peak_memory_bytes"] = ProcessMemory.PeakBytes,
            ["run_folder_bytes"] = FolderSize.Bytes(_runPath),
        };
        terminal.Out.WriteLine(json.ToJsonString());
        terminal.Out.Flush();
    }

    public void OnImageSkipped(string path, string reason) =>
        terminal.Error.WriteLine($"warning: skipped '{ControlCharacters.Escape(path)}': {ControlCharacters.Escape(reason)}");

    /// <summary>JSON has no NaN or infinity; such values become null.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
