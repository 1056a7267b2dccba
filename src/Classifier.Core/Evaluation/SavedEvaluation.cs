using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Evaluation;

/// <summary>
/// An evaluation as its <c>metrics.json</c> holds it (written by <see cref="EvaluationJson"/>), for the report, the plot
/// verb, CI summaries and <c>eval --merge</c>, which work from files alone. <see cref="Read"/> is the one reader of
/// metrics.json; <see cref="Of"/> gives the same record for an evaluation still in memory.
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
    /// <summary>The epoch of the model's weights (0 when absent).</summary>
    public int ModelEpoch { get; init; }

    /// <summary>The test-time augmentation the evaluation ran with.</summary>
    public TestTimeAugmentation Augmentation { get; init; }

    /// <summary>What ran the network, or null when the file does not say.</summary>
    public InferenceEngine? Engine { get; init; }

    /// <summary>The sum of the images' losses (NaN when absent), which shards add up.</summary>
    public double LossSum { get; init; } = double.NaN;

    /// <summary>Images whose class was among the top k (0 when top-k was not measured).</summary>
    public long TopKCorrect { get; init; }

    /// <summary>Wall time of the evaluation, in seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>The unreadable files with their reasons.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SkippedFiles { get; init; } = [];

    /// <summary>Images whose content the run trained or validated on, or null when unknown.</summary>
    public TrainingOverlap? Overlap { get; init; }

    /// <summary>A shard's part of the folder and its errors (<c>eval --shard</c>); null for a whole evaluation.</summary>
    public SavedShard? Shard { get; init; }

    /// <summary>Reads <paramref name="path"/>; a missing file or field is a <see cref="ClassifierException"/> naming it.</summary>
    public static SavedEvaluation Read(string path) => ReadFile(path, Wording.Report);

    /// <summary>
    /// Reads a shard's metrics.json for <c>eval --merge</c>: as <see cref="Read"/>, with messages that start with
    /// <c>--merge</c>, and a file without <c>shard</c> refused.
    /// </summary>
    internal static SavedEvaluation ReadShard(string path)
    {
        var saved = ReadFile(path, Wording.Merge);
        return saved.Shard is not null
            ? saved
            : throw new ClassifierException($"--merge: '{path}' is not a shard's metrics.json (no 'shard'); evaluate with --shard K/N.");
    }

    /// <summary>The saved form of an evaluation still in memory: what <see cref="Read"/> returns once it is written to <paramref name="path"/>.</summary>
    public static SavedEvaluation Of(EvaluationReport report, string path)
    {
        var result = report.Result;
        var (macro, weighted) = Averages.Of(result.PerClass);
        // As the file holds them: a loss that is not a number is written as null and read back as NaN.
        return new SavedEvaluation(path, report.ModelPath, report.Data.Root, result.Images, result.Accuracy,
            double.IsFinite(result.Loss) ? result.Loss : double.NaN,
            result.TopKAccuracy is null ? 0 : result.TopK, result.TopKAccuracy,
            report.Info.ClassNames, result.PerClass, macro, weighted, result.Matrix.ToRows(), report.Skipped.Count,
            report.Split, report.Overlap?.Train)
        {
            ModelEpoch = report.Info.Epoch,
            Augmentation = result.Augmentation,
            Engine = result.Engine,
            LossSum = double.IsFinite(result.LossSum) ? result.LossSum : double.NaN,
            TopKCorrect = result.TopKAccuracy is null ? 0 : result.TopKCorrect,
            Seconds = result.Seconds,
            SkippedFiles = report.Skipped,
            Overlap = report.Overlap,
        };
    }

    /// <summary>
    /// A field of <paramref name="path"/> that no evaluation could have written: the message names the file and the field.
    /// </summary>
    internal static ClassifierException Damaged(string path, string field, string problem) => Wording.Merge.Damaged(path, field, problem);

    private static SavedEvaluation ReadFile(string path, Wording wording)
    {
        if (!File.Exists(path)) throw new ClassifierException(wording.Missing(path));
        try
        {
            using var doc = JsonDocument.Parse(InputFile.ReadAllBytes(path, wording.Source(path)));
            return FromJson(doc.RootElement, path, wording);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ClassifierException(wording.NotMetrics(path, e.Message), e);
        }
    }

    /// <summary>
    /// The fields of any evaluation, and a shard's own. A shard's file must have every field the merge adds up
    /// (older whole evaluations may lack some: they read as absent).
    /// </summary>
    private static SavedEvaluation FromJson(JsonElement root, string path, Wording wording)
    {
        var classes = root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToList();
        var perClass = root.GetProperty("per_class").EnumerateArray().Select(e => Metrics(e, e.GetProperty("class").GetString()!)).ToList();
        var matrix = root.GetProperty("confusion_matrix").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        if (matrix.Length != classes.Count || matrix.Any(r => r.Length != classes.Count || r.Any(v => v < 0)))
            throw new ClassifierException($"{wording.Name(path)}: the confusion matrix is not {classes.Count}x{classes.Count} counts.");
        bool isShard = root.TryGetProperty("shard", out var shard);
        var loss = root.GetProperty("loss");
        bool hasTopK = root.TryGetProperty("top_k", out var k);
        double lossSum = double.NaN;
        if (root.TryGetProperty("loss_sum", out var sum) && sum.ValueKind == JsonValueKind.Number) lossSum = sum.GetDouble();
        else if (isShard)
            throw wording.Damaged(path, "loss_sum", $"is {(sum.ValueKind == JsonValueKind.Undefined ? "missing" : sum.ValueKind.ToString().ToLowerInvariant())}, not a number");
        // A shard's file must have what the merge adds up; a whole evaluation of an older version may lack it.
        JsonElement? Field(string name) => isShard ? root.GetProperty(name) : root.TryGetProperty(name, out var value) ? value : null;
        var overlap = root.TryGetProperty("overlap", out var o)
            ? new TrainingOverlap(o.GetProperty("train").GetInt32(),
                isShard || o.TryGetProperty("validation", out _) ? o.GetProperty("validation").GetInt32() : 0)
            : null;
        var skipped = Field("skipped")?.EnumerateArray()
            .Select(s => KeyValuePair.Create(s.GetProperty("path").GetString()!, s.GetProperty("reason").GetString()!)).ToList() ?? [];
        return new SavedEvaluation(path, root.GetProperty("model").GetString()!, root.GetProperty("data").GetString()!,
            root.GetProperty("images").GetInt64(), root.GetProperty("accuracy").GetDouble(),
            loss.ValueKind == JsonValueKind.Number ? loss.GetDouble() : double.NaN,
            hasTopK ? k.GetInt32() : 0, hasTopK ? root.GetProperty("top_k_accuracy").GetDouble() : null,
            classes, perClass, Metrics(root.GetProperty("macro_avg"), "macro avg"),
            Metrics(root.GetProperty("weighted_avg"), "weighted avg"), matrix, skipped.Count,
            root.TryGetProperty("split", out var split) ? split.GetString() : null, overlap?.Train)
        {
            ModelEpoch = Field("model_epoch")?.GetInt32() ?? 0,
            Augmentation = Field("test_time_augmentation") is { } tta ? EnumValues.Parse<TestTimeAugmentation>(tta.GetString()!) : default,
            Engine = root.TryGetProperty("engine", out var engine) && engine.ValueKind == JsonValueKind.String
                ? EnumValues.Parse<InferenceEngine>(engine.GetString()!)
                : null,
            LossSum = lossSum,
            TopKCorrect = hasTopK && (isShard || root.TryGetProperty("top_k_correct", out _)) ? root.GetProperty("top_k_correct").GetInt64() : 0,
            Seconds = Field("seconds")?.GetDouble() ?? 0,
            SkippedFiles = skipped,
            Overlap = overlap,
            Shard = isShard ? ShardOf(shard, root, classes, path, wording) : null,
        };
    }

    private static SavedShard ShardOf(JsonElement shard, JsonElement root, IReadOnlyList<string> classes, string path, Wording wording)
    {
        string Known(string label) =>
            classes.Contains(label, StringComparer.Ordinal)
                ? label
                : throw new ClassifierException($"{wording.Name(path)} names an error of class '{label}', which is not among its classes.");
        return new SavedShard(shard.GetProperty("index").GetInt32(), shard.GetProperty("count").GetInt32(),
            shard.GetProperty("folder_images").GetInt32(), Text(shard, "model_sha256"), Text(shard, "data_sha256"),
            root.GetProperty("errors").EnumerateArray().Select(e => new SavedError(
                e.GetProperty("position").GetInt32(), e.GetProperty("path").GetString()!,
                Known(e.GetProperty("true_label").GetString()!), Known(e.GetProperty("predicted_label").GetString()!),
                e.GetProperty("confidence").GetSingle())).ToList());
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ClassMetrics Metrics(JsonElement e, string name) => new(name,
        e.GetProperty("precision").GetDouble(), e.GetProperty("recall").GetDouble(), e.GetProperty("f1").GetDouble(),
        e.GetProperty("support").GetInt64());

    /// <summary>How the reader's messages name the file: for the report and plot, or for <c>eval --merge</c>.</summary>
    private sealed record Wording(string Prefix, string Reading, string What, string Remedy)
    {
        public static readonly Wording Report = new("Evaluation file", "", "a classify metrics.json", "run 'classify eval' to create it");
        public static readonly Wording Merge = new("--merge:", "--merge ", "a shard's metrics.json", "give the metrics.json each shard wrote");

        public string Name(string path) => $"{Prefix} '{path}'";

        /// <summary>How a read error names the file.</summary>
        public string Source(string path) => $"{Reading}'{path}'";

        public string Missing(string path) => $"{Name(path)} does not exist; {Remedy}.";

        public string NotMetrics(string path, string reason) => $"{Name(path)} is not {What} ({reason}).";

        public ClassifierException Damaged(string path, string field, string problem) =>
            new($"{Name(path)}: field '{field}' {problem}; the file is damaged or edited. Evaluate that shard again.");
    }
}
