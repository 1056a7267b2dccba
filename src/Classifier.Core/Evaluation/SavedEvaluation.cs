using System.Text.Json;

namespace Classifier.Core.Evaluation;

/// <summary>
/// An evaluation read back from its <c>metrics.json</c> (see <see cref="EvaluationJson"/>), for the report, the plot
/// verb and CI summaries, which work from files alone.
/// </summary>
/// <param name="Path">The metrics.json file.</param>
/// <param name="Model">Model file that was evaluated.</param>
/// <param name="Data">Data folder that was evaluated.</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="Accuracy">Top-1 accuracy.</param>
/// <param name="Loss">Mean cross-entropy (NaN when absent).</param>
/// <param name="TopK">k of the top-k accuracy, 0 when not measured.</param>
/// <param name="TopKAccuracy">Top-k accuracy, when measured.</param>
/// <param name="ClassNames">Class names in index order.</param>
/// <param name="PerClass">Per-class metrics.</param>
/// <param name="Macro">Macro averages.</param>
/// <param name="Weighted">Support-weighted averages.</param>
/// <param name="Matrix">Confusion matrix counts, rows = true classes.</param>
/// <param name="Skipped">Number of unreadable files.</param>
/// <param name="Split">The split of the model's own run that was evaluated, or null for a data folder.</param>
/// <param name="TrainedOn">Images whose content the run trained on, or null when unknown.</param>
public sealed record SavedEvaluation(
    string Path, string Model, string Data, long Images, double Accuracy, double Loss, int TopK, double? TopKAccuracy,
    IReadOnlyList<string> ClassNames, IReadOnlyList<ClassMetrics> PerClass, ClassMetrics Macro, ClassMetrics Weighted,
    long[][] Matrix, int Skipped, string? Split = null, int? TrainedOn = null)
{
    /// <summary>Reads <paramref name="path"/>; a missing file or field is a <see cref="ClassifierException"/> naming it.</summary>
    public static SavedEvaluation Read(string path)
    {
        if (!File.Exists(path))
            throw new ClassifierException($"Evaluation file '{path}' does not exist; run 'classify eval' to create it.");
        try
        {
            using var doc = JsonDocument.Parse(Classifier.Core.Data.InputFile.ReadAllBytes(path, $"'{path}'"));
            return FromJson(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new ClassifierException($"Evaluation file '{path}' is not a classify metrics.json ({e.Message}).", e);
        }
    }

    /// <summary>The saved form of an evaluation still in memory (what <see cref="Read"/> returns once it is written to <paramref name="path"/>).</summary>
    public static SavedEvaluation Of(EvaluationReport report, string path)
    {
        using var doc = JsonDocument.Parse(EvaluationJson.ToJson(report).ToJsonString());
        return FromJson(doc.RootElement, path);
    }

    private static SavedEvaluation FromJson(JsonElement root, string path)
    {
        try
        {
            var classes = root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToList();
            var perClass = root.GetProperty("per_class").EnumerateArray().Select(e => Metrics(e, e.GetProperty("class").GetString()!)).ToList();
            var matrix = root.GetProperty("confusion_matrix").EnumerateArray()
                .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            if (matrix.Length != classes.Count || matrix.Any(r => r.Length != classes.Count))
                throw new ClassifierException($"Evaluation file '{path}': the confusion matrix is not {classes.Count}x{classes.Count}.");
            var loss = root.GetProperty("loss");
            bool hasTopK = root.TryGetProperty("top_k", out var k);
            return new SavedEvaluation(path, root.GetProperty("model").GetString()!, root.GetProperty("data").GetString()!,
                root.GetProperty("images").GetInt64(), root.GetProperty("accuracy").GetDouble(),
                loss.ValueKind == JsonValueKind.Number ? loss.GetDouble() : double.NaN,
                hasTopK ? k.GetInt32() : 0, hasTopK ? root.GetProperty("top_k_accuracy").GetDouble() : null,
                classes, perClass, Metrics(root.GetProperty("macro_avg"), "macro avg"),
                Metrics(root.GetProperty("weighted_avg"), "weighted avg"), matrix,
                root.TryGetProperty("skipped", out var s) ? s.GetArrayLength() : 0,
                root.TryGetProperty("split", out var split) ? split.GetString() : null,
                root.TryGetProperty("overlap", out var overlap) ? overlap.GetProperty("train").GetInt32() : null);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ClassifierException($"Evaluation file '{path}' is not a classify metrics.json ({e.Message}).", e);
        }
    }

    private static ClassMetrics Metrics(JsonElement e, string name) => new(name,
        e.GetProperty("precision").GetDouble(), e.GetProperty("recall").GetDouble(), e.GetProperty("f1").GetDouble(),
        e.GetProperty("support").GetInt64());
}
