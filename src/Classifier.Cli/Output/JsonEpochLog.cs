using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Core.Diagnostics;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Output;

/// <summary>
/// <c>train --log-format json</c>: one JSON object per epoch on stdout (JSON Lines) for scripts, with the
/// history.csv columns plus <c>epochs</c>, <c>best</c>, <c>peak_memory_bytes</c> (the process's peak resident memory so
/// far) and <c>run_folder_bytes</c> (the run folder's size with this epoch's checkpoints), and one object per data
/// warning (see <see cref="OnDataWarning"/>); the run folder and closing lines go to stderr. No progress lines, no
/// carriage returns.
/// </summary>
internal sealed class JsonEpochLog(Terminal terminal) : ITrainingObserver
{
    private int _epochs;
    private string _runPath = "";
    /// <summary>Skipped files are met on decoding threads: one whole line on stdout at a time.</summary>
    private readonly Lock _stdout = new();

    public void OnTrainingStarted(TrainingStarted start)
    {
        _epochs = start.Options.Epochs;
        _runPath = start.Run.Path;
        terminal.Error.WriteLine($"Run folder: {start.Run.Path}");
        // Notes (starting weights, an optimizer that starts again) go to stderr: stdout holds only the epoch objects.
        if (start.WeightsNote is { } note) terminal.Error.WriteLine(note);
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
        WriteLine(json);
    }

    /// <summary>
    /// A data warning as a JSON object of its own on stdout: <c>warning</c> (its kind), <c>message</c>, and <c>path</c> for
    /// a skipped file. Epoch objects have <c>epoch</c> instead, so a script tells them apart by key.
    /// </summary>
    public void OnDataWarning(DataWarning warning)
    {
        var json = new JsonObject
        {
            ["warning"] = EnumValues.Name(warning.Kind),
            ["message"] = warning.Message,
        };
        if (warning.Path is { } path) json["path"] = path;
        WriteLine(json);
    }

    private void WriteLine(JsonObject json)
    {
        lock (_stdout)
        {
            terminal.Out.WriteLine(json.ToJsonString());
            terminal.Out.Flush();
        }
    }

    /// <summary>JSON has no NaN or infinity; such values become null.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
