using Classifier.Core.Data;

namespace Classifier.Core.Training;

/// <summary>Chooses the training and validation images from the options.</summary>
public static class TrainingData
{
    /// <summary>Validation fraction used when the options give no validation images at all.</summary>
    public const double DefaultValidationSplit = 0.2;

    /// <summary>
    /// In order: a data folder laid out as <see cref="SplitFolders"/> (<c>train/</c>, maybe <c>val/</c> and
    /// <c>test/</c>) trains on <c>train/</c> and validates on <c>--val DIR</c>, its validation folder, or a split of
    /// <c>train/</c> (<c>--validation-split</c>, else <see cref="DefaultValidationSplit"/>); otherwise the data folder is
    /// one folder per class, validated on <c>--val DIR</c> or a seeded stratified split. Its test folder is
    /// <see cref="TestFolder"/>'s, evaluated after training, never trained or validated on.
    /// </summary>
    public static (Dataset Train, Dataset Validation, string Source) Resolve(TrainOptions options)
    {
        var layout = SplitFolders.Find(options.DataDir);
        if (layout?.Validation is { } splitVal && (options.ValidationDir is not null || options.ValidationSplit is not null))
        {
            // Scanned as one-folder-per-class, such a folder would train a model whose classes are "train" and "val".
            var given = options.ValidationDir is not null ? "--val" : "--validation-split";
            throw new ClassifierException(
                $"Data folder '{options.DataDir}' is already split into '{Path.GetFileName(layout.Train)}/' and '{Path.GetFileName(splitVal)}/', " +
                $"so with {given} their names would become the classes. Drop {given} to train on '{Path.GetFileName(layout.Train)}/' and validate on " +
                $"'{Path.GetFileName(splitVal)}/', or give '{layout.Train}' as the data folder.");
        }
        var trainDir = layout?.Train ?? options.DataDir;
        if (options.ValidationDir is not null)
        {
            var train = DatasetScanner.Scan(trainDir);
            var validation = DatasetScanner.Scan(options.ValidationDir);
            DatasetSplit.RequireSameClasses(train, validation);
            return (train, validation, $"folder {options.ValidationDir}");
        }
        if (layout?.Validation is { } valDir)
        {
            var train = DatasetScanner.Scan(layout.Train);
            var validation = DatasetScanner.Scan(valDir);
            DatasetSplit.RequireSameClasses(train, validation);
            return (train, validation, $"folder {valDir}");
        }
        var all = DatasetScanner.Scan(trainDir);
        double fraction = options.ValidationSplit ?? DefaultValidationSplit;
        var (trainPart, validationPart) = DatasetSplit.Stratified(all, fraction, options.Seed);
        if (validationPart.Images.Count == 0)
            throw new ClassifierException(
                $"The {fraction:P0} validation split of '{trainDir}' holds no image (its {all.Images.Count} images in {all.ClassNames.Count} classes are too few to hold any out); " +
                "give more images per class, a larger --validation-split, or a validation folder with --val DIR.");
        return (trainPart, validationPart, $"{fraction:P0} stratified split of {trainDir} (seed {options.Seed})");
    }

    /// <summary>
    /// The test folder of a data folder laid out as <see cref="SplitFolders"/>, or null: evaluated once with the best
    /// model at the end of training (<c>eval-test/</c>), as the held-out figure no training choice has seen.
    /// </summary>
    public static string? TestFolder(TrainOptions options) => SplitFolders.Find(options.DataDir)?.Test;
}
