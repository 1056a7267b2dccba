using System.Text.Json;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Reporting;

/// <summary>
/// One line of <c>classify runs</c>: a run folder's best epoch and its metrics, read from its files alone
/// (history.csv, options.json, best.cls's metadata), as yolo's results.csv or TensorBoard's HParams table shows runs.
/// </summary>
/// <param name="Folder">The run folder (full path).</param>
/// <param name="LastEpoch">The last epoch completed.</param>
/// <param name="Best">The best epoch's history row: the epoch of best.cls, else the monitored metric's best.</param>
/// <param name="Seconds">Training time, all epochs, in seconds.</param>
/// <param name="Options">
/// Training options from options.json as JSON text, by their flag names (the nested <c>augment</c> options too, as
/// <c>zoom-range</c>: the command line has them flat).
/// </param>
public sealed record RunSummary(string Folder, int LastEpoch, HistoryRow Best, double Seconds, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>The folder's evaluations (<c>eval-NAME/metrics.json</c>) by name, in name order.</summary>
    public IReadOnlyDictionary<string, RunEvaluation> Evaluations { get; init; } = new Dictionary<string, RunEvaluation>();

    /// <summary>The data folder the run trained on (options.json's <c>data</c>), or null when options.json does not say.</summary>
    public string? DataFolder => Text("data");

    /// <summary>The run's validation folder (options.json's <c>val</c>), or null when validation was split off the data folder.</summary>
    public string? ValidationFolder => Text("val");

    /// <summary>Reads the run in <paramref name="folder"/>; it must have a history.csv.</summary>
    public static RunSummary Read(string folder)
    {
        var run = RunFolder.Open(folder);
        var history = HistoryCsv.Read(run.History);
        if (history.Count == 0)
            throw new ClassifierException($"Run folder '{folder}' has no finished epoch in {RunFolder.HistoryName}.");
        var options = ReadOptions(run.Options);
        int? bestEpoch = File.Exists(run.BestModel) ? ModelFile.ReadInfo(run.BestModel).Epoch : null;
        var best = history.FirstOrDefault(r => r.Epoch == bestEpoch)
                   ?? (options.GetValueOrDefault("monitor") == "\"val_accuracy\""
                       ? history.MaxBy(r => r.ValAccuracy)!
                       : history.MinBy(r => r.ValLoss)!);
        return new RunSummary(run.Path, history[^1].Epoch, best, history.Sum(r => r.Seconds), options)
        {
            Evaluations = ReadEvaluations(run.Path),
        };
    }

    /// <summary>
    /// The run folders meant by <paramref name="arguments"/>: a folder with a history.csv is a run; any other folder
    /// stands for its sub-folders that are runs (a sweep's output folder). Sorted by best validation accuracy, highest
    /// first, then by validation loss.
    /// </summary>
    public static IReadOnlyList<RunSummary> Find(IEnumerable<string> arguments)
    {
        var folders = new List<string>();
        foreach (var argument in arguments)
        {
            if (!Directory.Exists(argument))
                throw new ClassifierException($"'{argument}' is not a folder; give run folders or a folder that holds runs.");
            if (File.Exists(Path.Combine(argument, RunFolder.HistoryName)))
            {
                folders.Add(Path.GetFullPath(argument));
                continue;
            }
            var inside = Directory.EnumerateDirectories(argument).Order(StringComparer.Ordinal)
                .Where(d => File.Exists(Path.Combine(d, RunFolder.HistoryName))).Select(Path.GetFullPath).ToList();
            if (inside.Count == 0)
                throw new ClassifierException($"'{argument}' is neither a run folder nor a folder of runs (no {RunFolder.HistoryName} in it or its sub-folders).");
            folders.AddRange(inside);
        }
        return folders.Distinct(StringComparer.Ordinal).Select(Read)
            .OrderByDescending(r => r.Best.ValAccuracy).ThenBy(r => r.Best.ValLoss).ToList();
    }

    /// <summary>
    /// The options whose values differ between <paramref name="runs"/> (the sweep's hyper-parameters), in options.json
    /// order; the output folder, which always differs, is left out.
    /// </summary>
    public static IReadOnlyList<string> DifferingOptions(IReadOnlyList<RunSummary> runs) =>
        runs.SelectMany(r => r.Options.Keys).Distinct().Where(key => key != "output")
            .Where(key => runs.Select(r => r.Options.GetValueOrDefault(key)).Distinct().Count() > 1)
            .ToList();

    /// <summary>
    /// The evaluations in <paramref name="folder"/>: each <c>eval-NAME/</c> with a metrics.json (a folder of eval shards
    /// has none and is left out). Only the figures <c>classify runs</c> shows are read (the format:
    /// <see cref="Evaluation.EvaluationJson"/>); a metrics.json without an accuracy is an error naming it.
    /// </summary>
    private static SortedDictionary<string, RunEvaluation> ReadEvaluations(string folder)
    {
        var evaluations = new SortedDictionary<string, RunEvaluation>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories(folder, Evaluation.EvaluationOutputs.FolderPrefix + "*"))
        {
            var path = Path.Combine(directory, Evaluation.EvaluationOutputs.MetricsName);
            if (!File.Exists(path)) continue;
            var name = Path.GetFileName(directory)[Evaluation.EvaluationOutputs.FolderPrefix.Length..];
            try
            {
                using var doc = JsonDocument.Parse(Data.InputFile.ReadAllBytes(path, $"Evaluation file '{path}'"));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("accuracy", out var accuracy) || accuracy.ValueKind != JsonValueKind.Number)
                    throw new ClassifierException($"Evaluation file '{path}' has no accuracy; it is not a classify metrics.json.");
                evaluations[name] = new RunEvaluation(name, accuracy.GetDouble(),
                    root.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Number ? images.GetInt64() : 0,
                    root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String ? data.GetString()! : "");
            }
            catch (JsonException e)
            {
                throw new ClassifierException($"Evaluation file '{path}' is not valid JSON ({e.Message}).", e);
            }
        }
        return evaluations;
    }

    private string? Text(string key) =>
        Options.TryGetValue(key, out var raw) && raw.StartsWith('"') ? JsonSerializer.Deserialize<string>(raw) : null;

    private static Dictionary<string, string> ReadOptions(string path)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return options;
        try
        {
            using var doc = JsonDocument.Parse(Data.InputFile.ReadAllBytes(path, $"Options file '{path}'"));
            Flatten(doc.RootElement, "", options);
        }
        catch (JsonException e)
        {
            throw new ClassifierException($"Options file '{path}' is not valid JSON ({e.Message}).", e);
        }
        return options;
    }

    private static void Flatten(JsonElement element, string name, Dictionary<string, string> into)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            into[name] = element.GetRawText();
            return;
        }
        foreach (var property in element.EnumerateObject())
            Flatten(property.Value, property.Name, into);
    }
}
