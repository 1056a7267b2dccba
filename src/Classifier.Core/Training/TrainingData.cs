using Classifier.Core.Data;

namespace Classifier.Core.Training;

/// <summary>Chooses the training and validation images from the options.</summary>
public static class TrainingData
{
    /// <summary>Validation fraction used when the options give no validation images at all.</summary>
    public const double DefaultValidationSplit = 0.2;

    private static readonly string[] ValidationFolderNames = ["val", "validation", "valid"];

    /// <summary>
    /// In order: <c>--val DIR</c>; <c>--validation-split F</c>; a data folder that holds <c>train/</c> and
    /// <c>val/</c> (or <c>validation/</c>) sub-folders, as Ultralytics and most published datasets are laid out;
    /// otherwise a seeded stratified split of <see cref="DefaultValidationSplit"/>.
    /// </summary>
    public static (Dataset Train, Dataset Validation, string Source) Resolve(TrainOptions options)
    {
        if ((options.ValidationDir is not null || options.ValidationSplit is not null)
            && FindTrainValFolders(options.DataDir) is var (splitTrain, splitVal))
        {
            // Scanned as one-folder-per-class, such a folder would train a model whose classes are "train" and "val".
            var given = options.ValidationDir is not null ? "--val" : "--validation-split";
            throw new ClassifierException(
                $"Data folder '{options.DataDir}' is already split into '{Path.GetFileName(splitTrain)}/' and '{Path.GetFileName(splitVal)}/', " +
                $"so with {given} their names would become the classes. Drop {given} to train on '{Path.GetFileName(splitTrain)}/' and validate on " +
                $"'{Path.GetFileName(splitVal)}/', or give '{splitTrain}' as the data folder.");
        }
        if (options.ValidationDir is not null)
        {
            var train = DatasetScanner.Scan(options.DataDir);
            var validation = DatasetScanner.Scan(options.ValidationDir);
            DatasetSplit.RequireSameClasses(train, validation);
            return (train, validation, $"folder {options.ValidationDir}");
        }
        if (options.ValidationSplit is null && FindTrainValFolders(options.DataDir) is var (trainDir, valDir))
        {
            var train = DatasetScanner.Scan(trainDir);
            var validation = DatasetScanner.Scan(valDir);
            DatasetSplit.RequireSameClasses(train, validation);
            return (train, validation, $"folder {valDir}");
        }
        var all = DatasetScanner.Scan(options.DataDir);
        double fraction = options.ValidationSplit ?? DefaultValidationSplit;
        var (trainPart, validationPart) = DatasetSplit.Stratified(all, fraction, options.Seed);
        if (validationPart.Images.Count == 0)
            throw new ClassifierException(
                $"The {fraction:P0} validation split of '{options.DataDir}' holds no image (its {all.Images.Count} images in {all.ClassNames.Count} classes are too few to hold any out); " +
                "give more images per class, a larger --validation-split, or a validation folder with --val DIR.");
        return (trainPart, validationPart, $"{fraction:P0} stratified split of {options.DataDir} (seed {options.Seed})");
    }

    /// <summary>The <c>train/</c> and <c>val/</c> (or <c>validation/</c>, <c>valid/</c>) folders inside <paramref name="dataDir"/>, if both exist.</summary>
    internal static (string Train, string Val)? FindTrainValFolders(string dataDir)
    {
        var train = Path.Combine(dataDir, "train");
        if (!Directory.Exists(train)) return null;
        foreach (var name in ValidationFolderNames)
        {
            var val = Path.Combine(dataDir, name);
            if (Directory.Exists(val)) return (train, val);
        }
        return null;
    }
}
