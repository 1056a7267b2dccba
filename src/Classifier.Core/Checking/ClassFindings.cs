namespace Classifier.Core.Checking;

/// <summary>Findings about classes: empty or unreadable classes, too few classes, imbalance, train/val mismatch.</summary>
internal static class ClassFindings
{
    public static IEnumerable<CheckFinding> For(IReadOnlyList<FolderListing> scanned, IReadOnlyList<FolderSummary> folders,
        CheckOptions options)
    {
        for (int f = 0; f < folders.Count; f++)
        {
            var folder = folders[f];
            foreach (var c in folder.Classes)
            {
                var path = scanned[f].Classes.First(s => s.Name == c.Name).Path;
                if (c.Files == 0)
                    yield return new CheckFinding(Severity.Warning, FindingKinds.EmptyClass,
                        $"class folder '{c.Name}' in {folder.Name} has no images; training leaves it out", [path]);
                else if (c.Readable == 0)
                    yield return new CheckFinding(Severity.Warning, FindingKinds.NoReadableImage,
                        $"class '{c.Name}' in {folder.Name} has {c.Files} image file(s) and none can be read", [path]);
            }
            foreach (var group in Data.LookAlikeNames.Groups(folder.Classes.Select(c => c.Name)))
                yield return new CheckFinding(Severity.Warning, FindingKinds.LookAlikeClasses,
                    $"{folder.Name}: class names {Data.LookAlikeNames.Describe(group)}",
                    group.Select(name => scanned[f].Classes.First(s => s.Name == name).Path).ToList());
            var withImages = folder.Classes.Where(c => c.Files > 0).ToList();
            if (withImages.Count < 2)
                yield return new CheckFinding(Severity.Error, FindingKinds.TooFewClasses,
                    $"{folder.Name} has {withImages.Count} class folder(s) with images; training needs at least two", [folder.Root]);
            var counted = withImages.Where(c => c.Readable > 0).ToList();
            if (counted.Count >= 2)
            {
                var largest = counted.MaxBy(c => c.Readable)!;
                var smallest = counted.MinBy(c => c.Readable)!;
                double ratio = (double)largest.Readable / smallest.Readable;
                if (ratio >= options.ImbalanceRatio)
                    yield return new CheckFinding(Severity.Warning, FindingKinds.Imbalance,
                        $"{folder.Name} is imbalanced: '{largest.Name}' has {largest.Readable:N0} readable images, " +
                        $"'{smallest.Name}' {smallest.Readable:N0} ({ratio:F1}x, --imbalance-ratio {options.ImbalanceRatio}); " +
                        // The first folder is what train learns from; a validation folder's imbalance only skews accuracy.
                        (f == 0
                            ? "train with --class-weight balanced to weigh each class's loss by its inverse frequency"
                            : "its accuracy mostly measures the large classes: compare the per-class recall and macro average of classify eval"),
                        [folder.Root]);
            }
        }

        if (folders.Count == 2)
        {
            var train = ClassesWithImages(folders[0]);
            var val = ClassesWithImages(folders[1]);
            var onlyTrain = train.Except(val, StringComparer.Ordinal).ToList();
            var onlyVal = val.Except(train, StringComparer.Ordinal).ToList();
            if (onlyTrain.Count + onlyVal.Count > 0)
            {
                var parts = new List<string>();
                if (onlyTrain.Count > 0) parts.Add($"only in train: {string.Join(", ", onlyTrain)}");
                if (onlyVal.Count > 0) parts.Add($"only in val: {string.Join(", ", onlyVal)}");
                yield return new CheckFinding(Severity.Error, FindingKinds.ClassMismatch,
                    $"training and validation folders have different classes ({string.Join("; ", parts)})",
                    [folders[0].Root, folders[1].Root]);
            }
        }
    }

    private static List<string> ClassesWithImages(FolderSummary folder) =>
        folder.Classes.Where(c => c.Files > 0).Select(c => c.Name).ToList();
}
