namespace Classifier.Core.Data;

/// <summary>
/// The images found below a data folder: class names in index order and every image with its label.
/// </summary>
/// <param name="Root">The data folder that was scanned.</param>
/// <param name="ClassNames">Class names in ordinal order; the position is the class index.</param>
/// <param name="Images">Images, grouped by class and in ordinal path order within a class.</param>
/// <param name="EmptyClasses">Class folders that held no image and were left out.</param>
public sealed record Dataset(
    string Root,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<LabeledImage> Images,
    IReadOnlyList<string> EmptyClasses)
{
    /// <summary>Number of images per class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Count];
        foreach (var image in Images) counts[image.Label]++;
        return counts;
    }

    /// <summary>A dataset with the same classes holding only the given images.</summary>
    public Dataset WithImages(IReadOnlyList<LabeledImage> images) => this with { Images = images };
}
