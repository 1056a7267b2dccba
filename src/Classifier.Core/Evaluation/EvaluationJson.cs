using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Core.Sharding;

namespace Classifier.Core.Evaluation;

/// <summary>
/// The JSON form of an evaluation (<c>classify eval --format json</c>): one object with <c>accuracy</c>,
/// <c>loss</c>, <c>images</c>, <c>classes</c>, <c>per_class</c> (precision, recall, f1, support),
/// <c>macro_avg</c>, <c>weighted_avg</c>, <c>confusion_matrix</c> (rows = true class), the model and data paths,
/// the skipped files, <c>top_k</c> with <c>top_k_accuracy</c> when top-k accuracy was measured, <c>split</c> when the
/// images are a split of the model's own run, and <c>overlap</c> (<c>train</c>, <c>validation</c>: images whose content
/// the run trained or validated on) when the model's run records its images. The raw counts (<c>images</c>,
/// <c>confusion_matrix</c>, <c>loss_sum</c>, <c>top_k_correct</c>, <c>overlap</c>) let shards be added up exactly;
/// a shard's file also has <c>shard</c> and <c>errors</c>. Saved as
/// <c>metrics.json</c> in the eval output folder, where <see cref="SavedEvaluation"/> reads it back.
/// </summary>
public static class EvaluationJson
{
    /// <summary>The report as a JSON object.</summary>
    public static JsonObject ToJson(EvaluationReport report)
    {
        var result = report.Result;
        var perClass = result.PerClass;
        var (macro, weighted) = Averages.Of(perClass);
        var json = new JsonObject
        {
            ["model"] = report.ModelPath,
            ["data"] = report.Data.Root,
            ["images"] = result.Images,
            ["test_time_augmentation"] = EnumValues.Name(result.Augmentation),
            ["engine"] = result.Engine is { } engine ? EnumValues.Name(engine) : null,
            ["compute_precision"] = EnumValues.Name(result.Precision),
            ["accuracy"] = result.Accuracy,
            ["loss"] = double.IsFinite(result.Loss) ? result.Loss : null,
            ["loss_sum"] = double.IsFinite(result.LossSum) ? result.LossSum : null,
            ["classes"] = new JsonArray(report.Info.ClassNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["per_class"] = new JsonArray(perClass.Select(m => (JsonNode?)new JsonObject
            {
                ["class"] = m.Name,
                ["precision"] = m.Precision,
                ["recall"] = m.Recall,
                ["f1"] = m.F1,
                ["support"] = m.Support,
            }).ToArray()),
            ["macro_avg"] = Average(macro),
            ["weighted_avg"] = Average(weighted),
            ["confusion_matrix"] = new JsonArray(result.Matrix.ToRows()
                .Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray()),
            ["skipped"] = new JsonArray(report.Skipped.Select(s => (JsonNode?)new JsonObject
            {
                ["path"] = s.Key,
                ["reason"] = s.Value,
            }).ToArray()),
            ["seconds"] = result.Seconds,
            ["model_epoch"] = report.Info.Epoch,
        };
        if (report.Split is { } split) json["split"] = split;
        if (report.Overlap is { } overlap)
            json["overlap"] = new JsonObject { ["train"] = overlap.Train, ["validation"] = overlap.Validation };
        if (result.TopKAccuracy is { } topK)
        {
            json["top_k"] = result.TopK;
            json["top_k_accuracy"] = topK;
            json["top_k_correct"] = result.TopKCorrect;
        }
        if (report.Shard is { } shard) AddShard(json, report, shard);
        return json;
    }

    /// <summary>
    /// A shard's extra fields, what <see cref="ShardMerge"/> needs beyond the counts: <c>shard</c> (index from 0,
    /// count, images in the whole folder) and <c>errors</c>, every misclassified image with its position in the whole
    /// folder, its classes and its confidence (exact, so the merged misclassified.csv orders as one run's).
    /// </summary>
    private static void AddShard(JsonObject json, EvaluationReport report, ShardSelection shard)
    {
        json["shard"] = new JsonObject
        {
            ["index"] = shard.Shard.Index,
            ["count"] = shard.Shard.Count,
            ["folder_images"] = shard.FolderImages,
            // The model's content, not only its path: a merge refuses shards of a file replaced between them.
            ["model_sha256"] = Runs.TrainingFiles.Sha256(report.ModelPath),
            // The data folder's contents too (paths, classes, sizes): a folder changed between shards is refused.
            ["data_sha256"] = shard.DataSha256,
        };
        var names = report.Info.ClassNames;
        json["errors"] = new JsonArray(report.Result.Predictions.Where(p => p.Actual != p.Predicted)
            .Select(p => (JsonNode?)new JsonObject
            {
                ["position"] = shard.Positions[p.Index],
                ["path"] = report.Data.Images[p.Index].Path,
                ["true_label"] = names[p.Actual],
                ["predicted_label"] = names[p.Predicted],
                ["confidence"] = p.Confidence,
            }).ToArray());
    }

    /// <summary>The report as indented JSON text.</summary>
    public static string ToText(EvaluationReport report) =>
        ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Average(ClassMetrics m) => new()
    {
        ["precision"] = m.Precision,
        ["recall"] = m.Recall,
        ["f1"] = m.F1,
        ["support"] = m.Support,
    };
}
