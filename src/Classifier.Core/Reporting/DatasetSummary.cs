using System.Text.Json;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Core.Reporting;

/// <summary>
/// What a run trained and validated on, saved as <c>dataset.json</c> in the run folder when training starts, so the
/// report can show it later without scanning the data again.
/// </summary>
/// <param name="TrainRoot">Training data folder.</param>
/// <param name="ValidationSource">How validation images were chosen, in words.</param>
/// <param name="ClassNames">Class names in index order.</param>
/// <param name="TrainCounts">Training images per class.</param>
/// <param name="ValidationCounts">Validation images per class.</param>
/// <param name="EmptyClasses">Class folders left out because they held no image.</param>
public sealed record DatasetSummary(string TrainRoot, string ValidationSource, IReadOnlyList<string> ClassNames,
    IReadOnlyList<int> TrainCounts, IReadOnlyList<int> ValidationCounts, IReadOnlyList<string> EmptyClasses)
{
    /// <summary>File name inside the run folder.</summary>
    public const string FileName = "dataset.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The summary of a starting run.</summary>
    public static DatasetSummary From(TrainingStarted start) => new(start.Train.Root, start.ValidationSource,
        start.Train.ClassNames, start.Train.ClassCounts(), start.Validation.ClassCounts(),
        start.Train.EmptyClasses.Concat(start.Validation.EmptyClasses).Distinct().ToList());

    /// <summary>Writes the summary into <paramref name="runFolder"/>, atomically.</summary>
    public void Write(string runFolder) =>
        AtomicFile.WriteText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads the summary of <paramref name="runFolder"/>, or null when it has none or it cannot be read.</summary>
    public static DatasetSummary? TryRead(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<DatasetSummary>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null; // the report leaves the section out rather than failing on an optional file
        }
    }
}
