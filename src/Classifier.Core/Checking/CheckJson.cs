using System.Text.Json;
using System.Text.Json.Nodes;

namespace Classifier.Core.Checking;

/// <summary>
/// The JSON form of a check (<c>classify check --format json</c>): <c>clean</c>, <c>errors</c>, <c>warnings</c>,
/// <c>files</c>, <c>folders</c> (classes with file and readable counts, ignored entries), <c>colour_modes</c>,
/// <c>exif_orientations</c> and <c>findings</c> (severity, kind, message, paths).
/// </summary>
public static class CheckJson
{
    /// <summary>The report as a JSON object.</summary>
    public static JsonObject ToJson(CheckReport report) => new()
    {
        ["clean"] = report.IsClean,
        ["errors"] = report.Errors,
        ["warnings"] = report.Warnings,
        ["files"] = report.Files,
        ["seconds"] = report.Seconds,
        ["folders"] = new JsonArray(report.Folders.Select(f => (JsonNode?)new JsonObject
        {
            ["name"] = f.Name,
            ["root"] = f.Root,
            ["classes"] = new JsonArray(f.Classes.Select(c => (JsonNode?)new JsonObject
            {
                ["name"] = c.Name,
                ["files"] = c.Files,
                ["readable"] = c.Readable,
            }).ToArray()),
            ["ignored"] = new JsonArray(f.Ignored.Select(i => (JsonNode?)new JsonObject
            {
                ["path"] = i.Path,
                ["reason"] = i.Reason,
            }).ToArray()),
        }).ToArray()),
        ["colour_modes"] = Counts(report.ColourModes),
        ["exif_orientations"] = Counts(report.Orientations),
        ["findings"] = new JsonArray(report.Findings.Select(f => (JsonNode?)new JsonObject
        {
            ["severity"] = f.Severity == Severity.Error ? "error" : "warning",
            ["kind"] = f.Kind,
            ["message"] = f.Message,
            ["paths"] = new JsonArray(f.Paths.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        }).ToArray()),
    };

    /// <summary>The report as indented JSON text.</summary>
    public static string ToText(CheckReport report) =>
        ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Counts(IReadOnlyDictionary<string, int> counts)
    {
        var node = new JsonObject();
        foreach (var (key, value) in counts) node[key] = value;
        return node;
    }
}
