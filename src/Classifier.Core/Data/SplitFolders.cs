namespace Classifier.Core.Data;

/// <summary>
/// A data folder laid out as datasets are published (Ultralytics, Kaggle, torchvision's ImageFolder recipes):
/// <c>train/</c>, optionally a validation folder (<c>val/</c>, <c>valid/</c> or <c>validation/</c>) and <c>test/</c>,
/// each with one sub-folder per class. Names match whatever their case (<c>Train/</c>, <c>TEST/</c>).
/// </summary>
/// <param name="Train">The training folder.</param>
/// <param name="Validation">The validation folder, or null when there is none (training then splits <see cref="Train"/>).</param>
/// <param name="Test">The test folder, evaluated once at the end of training, or null.</param>
public sealed record SplitFolders(string Train, string? Validation, string? Test)
{
    /// <summary>Names of a validation folder, in the order they are looked for.</summary>
    public static IReadOnlyList<string> ValidationNames { get; } = ["val", "validation", "valid"];

    /// <summary>Name of the training folder.</summary>
    public const string TrainName = "train";

    /// <summary>Name of the test folder.</summary>
    public const string TestName = "test";

    /// <summary>
    /// The split folders of <paramref name="dataDir"/>, or null when it has none (one sub-folder per class). Throws
    /// <see cref="ClassifierException"/> when sub-folders are named like splits but there is no <c>train/</c> (say
    /// <c>test/</c> and <c>val/</c> alone), or two validation folders: scanned as classes, they would train a model
    /// whose classes are "test" and "val".
    /// </summary>
    public static SplitFolders? Find(string dataDir)
    {
        if (!Directory.Exists(dataDir)) return null;
        List<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories(dataDir).Select(d => Path.GetFileName(d)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Data folder '{dataDir}' cannot be listed: {e.Message}", e);
        }
        string? Named(string name) => folders.Where(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).FirstOrDefault();
        var train = Named(TrainName);
        var validation = ValidationNames.Select(Named).Where(n => n is not null).ToList();
        var test = Named(TestName);
        var splitLike = new[] { train, test }.Concat(validation).Where(n => n is not null).ToList();
        if (splitLike.Count == 0) return null;
        if (train is null)
            throw new ClassifierException(
                $"Data folder '{dataDir}' has sub-folders named like dataset splits ({string.Join(", ", splitLike.Select(n => n + "/"))}) but no train/, " +
                "so it is neither one folder per class nor a train/val/test layout. Add the training images as train/<class>/..., " +
                $"give one split folder as DATA_DIR (e.g. '{Path.Combine(dataDir, splitLike[0]!)}'), or rename the folders if they really are classes.");
        if (validation.Count > 1)
            throw new ClassifierException(
                $"Data folder '{dataDir}' has {validation.Count} validation folders ({string.Join(", ", validation.Select(n => n + "/"))}); keep one, or choose with --val DIR.");
        return new SplitFolders(Path.Combine(dataDir, train),
            validation.Count == 1 ? Path.Combine(dataDir, validation[0]!) : null,
            test is null ? null : Path.Combine(dataDir, test));
    }
}
