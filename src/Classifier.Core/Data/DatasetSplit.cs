namespace Classifier.Core.Data;

/// <summary>Builds the training and validation sets from the data folder and the options.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// A seeded, stratified random split: from each class, <paramref name="fraction"/> of its images (rounded, at
    /// least one when the class has two or more) go to validation. The same seed always gives the same split.
    /// </summary>
    public static (Dataset Train, Dataset Validation) Stratified(Dataset data, double fraction, int seed)
    {
        if (fraction is <= 0 or >= 1)
            throw new ClassifierException($"--validation-split {fraction} is out of range; give a fraction between 0 and 1, e.g. 0.2.");
        var train = new List<LabeledImage>();
        var validation = new List<LabeledImage>();
        var random = new Random(seed);
        foreach (var group in data.Images.GroupBy(i => i.Label).OrderBy(g => g.Key))
        {
            var items = group.ToArray();
            random.Shuffle(items);
            int take = items.Length < 2 ? 0 : Math.Clamp((int)Math.Round(items.Length * fraction), 1, items.Length - 1);
            var chosen = new HashSet<LabeledImage>(items.Take(take));
            // Keep the scan order inside each part so files are read in a stable order.
            foreach (var image in group)
                (chosen.Contains(image) ? validation : train).Add(image);
        }
        return (data.WithImages(train), data.WithImages(validation));
    }

    /// <summary>
    /// Checks that a separate validation folder has exactly the training classes; otherwise the error lists the
    /// differences both ways.
    /// </summary>
    public static void RequireSameClasses(Dataset train, Dataset validation)
    {
        var onlyTrain = train.ClassNames.Except(validation.ClassNames, StringComparer.Ordinal).ToList();
        var onlyValidation = validation.ClassNames.Except(train.ClassNames, StringComparer.Ordinal).ToList();
        if (onlyTrain.Count == 0 && onlyValidation.Count == 0) return;
        var parts = new List<string>();
        if (onlyTrain.Count > 0)
            parts.Add($"only in training data '{train.Root}': {string.Join(", ", onlyTrain)}");
        if (onlyValidation.Count > 0)
            parts.Add($"only in validation data '{validation.Root}': {string.Join(", ", onlyValidation)}");
        throw new ClassifierException(
            $"Training and validation folders must have the same class folders (with images); {string.Join("; ", parts)}.");
    }
}
