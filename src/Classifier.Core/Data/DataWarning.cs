namespace Classifier.Core.Data;

/// <summary>
/// Something about the data a user should know that does not stop the run: imbalanced classes, an empty class folder,
/// look-alike class names, a file that could not be read. Every view renders the same <see cref="Message"/> (escaping
/// the names in it for its medium), so each warning is worded in one place.
/// </summary>
/// <param name="Kind">What the warning is about.</param>
/// <param name="Message">One line, without a "warning:" prefix; names in it are as they are on disk (not escaped).</param>
public sealed record DataWarning(DataWarningKind Kind, string Message)
{
    /// <summary>The file a <see cref="DataWarningKind.SkippedImage"/> warning names; null for the others.</summary>
    public string? Path { get; init; }

    /// <summary>A file that could not be read, and why (training, eval and predict word it alike).</summary>
    public static DataWarning Skipped(string path, string reason) =>
        new(DataWarningKind.SkippedImage, $"skipped '{path}': {reason}") { Path = path };

    /// <summary>
    /// The warnings about a run's classes, in this order: imbalance (unless <paramref name="classWeights"/> already
    /// balance the loss), empty class folders of either set, look-alike class names.
    /// </summary>
    public static IReadOnlyList<DataWarning> ForClasses(Dataset train, Dataset validation, IReadOnlyList<double>? classWeights)
    {
        var warnings = new List<DataWarning>();
        var counts = train.ClassCounts();
        if (counts.Min() > 0 && counts.Max() >= 3 * counts.Min() && classWeights is null)
            warnings.Add(new DataWarning(DataWarningKind.ClassImbalance,
                $"classes are imbalanced ({counts.Max():N0} vs {counts.Min():N0} images); consider --class-weight balanced."));
        foreach (var empty in train.EmptyClasses.Concat(validation.EmptyClasses).Distinct())
            warnings.Add(new DataWarning(DataWarningKind.EmptyClass, $"class folder '{empty}' has no images and was left out."));
        foreach (var group in LookAlikeNames.Groups(train.ClassNames))
            warnings.Add(new DataWarning(DataWarningKind.LookAlikeClassNames, $"class names {LookAlikeNames.Describe(group)}."));
        return warnings;
    }
}
