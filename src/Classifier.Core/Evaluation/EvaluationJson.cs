using System.Text.Json;
using System.Text.Json.Nodes;

namespace Classifier.Core.Evaluation;

/// <summary>
/// The JSON form of an evaluation (<c>classify eval --format json</c>): one object with <c>accuracy</c>,
/// <c>loss</c>, <c>images</c>, <c>classes</c>, <c>per_class</c> (precision, recall, f1, support),
/// <c>macro_avg</c>, <c>weighted_avg</c>, <c>confusion_matrix</c> (rows = true class), the model and data paths
/// and the skipped files.
/// </summary>
public static class EvaluationJson
{
    /// <summary>The report as a JSON object.</summary>
    public static JsonObject ToJson(EvaluationReport report)
    {
        var result = report.Result;
        var perClass = result.PerClass;
        var (macro, weighted) = Averages.Of(perClass);
        return new JsonObject
        {
            ["model"] = report.ModelPath,
            ["data"] = report.Data.Root,
            ["images"] = result.Images,
            ["accuracy"] = result.Accuracy,
            ["loss"] = result.Loss,
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
        };
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
