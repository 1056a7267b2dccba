using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Classifier.Core.Options;
using Classifier.Core.Runs;

namespace Classifier.Core.Training;

/// <summary>
/// The JSON form of <see cref="TrainOptions"/>, written and read through <see cref="TrainOptionTable"/>: one key per
/// stored option, named as its flag without dashes (<c>"epochs"</c>, <c>"batch-size"</c>, <c>"lr-schedule"</c>;
/// <c>"data"</c> for DATA_DIR), values as on the command line (<c>"val_loss"</c>, <c>"cosine"</c>; a brightness range
/// as <c>[0.8, 1.2]</c>). Used for <c>--config</c> files and for the run folder's <c>options.json</c>, so a run can
/// be repeated from it. Files written by earlier versions, which kept the augmentation options inside an
/// <c>"augment"</c> object or have <c>"slim-last"</c>, are still read.
/// </summary>
public static class TrainOptionsFile
{
    /// <summary>Key of the object that held the augmentation options in files of earlier versions.</summary>
    private const string AugmentSection = "augment";

    /// <summary>
    /// Key of earlier versions' <c>--slim-last</c> (true: leave the optimizer state out of a finished run's last.cls),
    /// read as the opposite of <c>keep-optimizer</c>, which replaced it when leaving it out became the default.
    /// </summary>
    private const string SlimLastKey = "slim-last";

    /// <summary>Serializer settings for the other JSON the trainer keeps (the checkpoint's training state).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes <paramref name="options"/> to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, TrainOptions options) => AtomicFile.WriteText(path, ToText(options));

    /// <summary>The JSON text of <paramref name="options"/>: every stored option, in help order.</summary>
    public static string ToText(TrainOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var option in TrainOptionTable.Stored)
            {
                writer.WritePropertyName(option.Name);
                if (option.Get(options) is { } value) option.Kind.WriteJson(writer, value);
                else writer.WriteNullValue();
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Reads options from <paramref name="path"/>. Unknown keys are an error that lists them (a typo must not be
    /// silently ignored), and so is a key given twice; every value is checked as on the command line (NaN and
    /// infinities are refused); keys left out keep their defaults.
    /// </summary>
    public static TrainOptions Read(string path)
    {
        if (!File.Exists(path)) throw new ClassifierException($"Config file '{path}' does not exist.");
        string text;
        try
        {
            text = Data.InputFile.ReadAllText(path, $"Config file '{path}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Cannot read config file '{path}': {e.Message}", e);
        }
        return Parse(text, $"Config file '{path}'");
    }

    /// <summary>Reads options from JSON <paramref name="text"/>; <paramref name="source"/> starts every error message.</summary>
    public static TrainOptions Parse(string text, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ClassifierException($"{source} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ClassifierException($"{source} must hold one JSON object of train options.");
            var entries = new List<(string Key, JsonElement Value)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == AugmentSection && property.Value.ValueKind == JsonValueKind.Object)
                    entries.AddRange(property.Value.EnumerateObject().Select(p => ($"{AugmentSection}.{p.Name}", p.Value)));
                else
                    entries.Add((property.Name, property.Value));
            }

            var options = new TrainOptions();
            var seen = new Dictionary<TrainOption, string>();
            var unknown = new List<string>();
            foreach (var (key, value) in entries)
            {
                var name = key.StartsWith(AugmentSection + ".", StringComparison.Ordinal) ? key[(AugmentSection.Length + 1)..]
                    : key == SlimLastKey ? "keep-optimizer" : key;
                var option = TrainOptionTable.Find(name);
                if (option is null || !option.IsStored
                    || (name != key && key != SlimLastKey && option.Group != OptionGroup.Augmentation))
                {
                    unknown.Add(key);
                    continue;
                }
                if (seen.TryGetValue(option, out var first))
                    throw new ClassifierException(
                        first == key
                            ? $"{source} gives \"{key}\" twice; keep one."
                            : $"{source} gives {option.Flag} twice (as \"{first}\" and \"{key}\"); keep one.");
                seen[option] = key;
                var parsed = value.ValueKind == JsonValueKind.Null ? NullFor(option, source, key) : option.Kind.FromJson(value, $"{source}: \"{key}\"");
                options = option.Set(options, key == SlimLastKey ? !(bool)parsed! : parsed);
            }
            if (unknown.Count > 0)
                throw new ClassifierException(
                    $"{source} has unknown option(s) {string.Join(", ", unknown)}; known: {string.Join(", ", TrainOptionTable.Stored.Select(o => o.Name).Order(StringComparer.Ordinal))}.");
            return options;
        }
    }

    /// <summary>JSON null is the default for options whose default is "none" (e.g. "patience"), and an error for others.</summary>
    private static object? NullFor(TrainOption option, string source, string key) =>
        option.Get(new TrainOptions()) is null
            ? null
            : throw new ClassifierException($"{source}: \"{key}\" cannot be null; leave it out for the default ({option.ShownDefault}).");
}
