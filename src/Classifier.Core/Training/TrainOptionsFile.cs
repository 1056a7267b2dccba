using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// The JSON form of <see cref="TrainOptions"/>: keys are the <c>classify train</c> flag names without dashes
/// (<c>"epochs"</c>, <c>"batch-size"</c>, <c>"lr-schedule"</c>, ...; <c>"data"</c> for DATA_DIR; augmentation flags
/// inside <c>"augment"</c>), enum values as on the command line (<c>"val_loss"</c>, <c>"cosine"</c>). Used for
/// <c>--config</c> files and for the run folder's <c>options.json</c>, so a run can be repeated from it.
/// </summary>
public static class TrainOptionsFile
{
    /// <summary>Serializer settings of the format.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes <paramref name="options"/> to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, TrainOptions options) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(options, Json) + "\n");

    /// <summary>
    /// Reads options from <paramref name="path"/>. Unknown keys are an error that lists them (a typo must not be
    /// silently ignored); keys left out keep their defaults.
    /// </summary>
    public static TrainOptions Read(string path)
    {
        if (!File.Exists(path)) throw new ClassifierException($"Config file '{path}' does not exist.");
        try
        {
            var text = File.ReadAllText(path);
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                       as JsonObject ?? throw new ClassifierException($"Config file '{path}' must hold one JSON object of train options.");
            CheckKeys(path, node, typeof(TrainOptions), "");
            if (node["augment"] is JsonObject augment) CheckKeys(path, augment, typeof(Data.Augmentation.AugmentOptions), "augment.");
            return node.Deserialize<TrainOptions>(Json) ?? new TrainOptions();
        }
        catch (JsonException e)
        {
            throw new ClassifierException($"Config file '{path}' is not valid: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ClassifierException($"Config file '{path}' is not valid: {e.Message}", e);
        }
    }

    private static void CheckKeys(string path, JsonObject node, Type type, string prefix)
    {
        var known = KnownKeys(type);
        var unknown = node.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ClassifierException(
                $"Config file '{path}' has unknown option(s) {string.Join(", ", unknown.Select(k => prefix + k))}; known: {string.Join(", ", known.Order().Select(k => prefix + k))}.");
    }

    private static HashSet<string> KnownKeys(Type type) =>
        type.GetProperties()
            .Where(p => p.CanWrite && p.GetCustomAttributes(typeof(JsonIgnoreAttribute), true).Length == 0)
            .Select(p => (p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), true).FirstOrDefault() as JsonPropertyNameAttribute)?.Name
                         ?? Json.PropertyNamingPolicy!.ConvertName(p.Name))
            .ToHashSet(StringComparer.Ordinal);
}
