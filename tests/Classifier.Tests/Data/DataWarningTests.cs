using Classifier.Core.Data;

namespace Classifier.Tests.Data;

public sealed class DataWarningTests
{
    private static Dataset Set(int[] counts, string[]? names = null, string[]? empty = null)
    {
        names ??= counts.Select((_, c) => $"class_{(char)('a' + c)}").ToArray();
        var images = counts.SelectMany((n, c) => Enumerable.Range(0, n).Select(i => new LabeledImage($"/data/{names[c]}/{i}.png", c))).ToList();
        return new Dataset("/data", names, images, empty ?? []);
    }

    [Fact]
    public void ForClasses_WithThreeTimesTheImagesInOneClass_WarnsOfTheImbalance_UnlessTheLossIsWeighted()
    {
        var train = Set([9, 3]);
        var validation = Set([2, 1]);

        var warning = Assert.Single(DataWarning.ForClasses(train, validation, classWeights: null));

        Assert.Equal(DataWarningKind.ClassImbalance, warning.Kind);
        Assert.Equal("classes are imbalanced (9 vs 3 images); consider --class-weight balanced.", warning.Message);
        Assert.Null(warning.Path);
        Assert.Empty(DataWarning.ForClasses(train, validation, classWeights: [0.7, 2.0]));
        Assert.Empty(DataWarning.ForClasses(Set([8, 3]), validation, classWeights: null));
    }

    [Fact]
    public void ForClasses_NamesEachEmptyClassFolderOnce_FromTrainingAndValidation()
    {
        var train = Set([4, 4], empty: ["ghost", "void"]);
        var validation = Set([1, 1], empty: ["void", "hollow"]);

        var warnings = DataWarning.ForClasses(train, validation, classWeights: null);

        Assert.All(warnings, w => Assert.Equal(DataWarningKind.EmptyClass, w.Kind));
        Assert.Equal(
            ["class folder 'ghost' has no images and was left out.", "class folder 'void' has no images and was left out.",
             "class folder 'hollow' has no images and was left out."],
            warnings.Select(w => w.Message));
    }

    [Fact]
    public void ForClasses_NamesClassesThatDifferOnlyInCase()
    {
        var train = Set([4, 4, 4], names: ["Cat", "cat", "dog"]);

        var warning = Assert.Single(DataWarning.ForClasses(train, Set([1, 1, 1], names: ["Cat", "cat", "dog"]), classWeights: null));

        Assert.Equal(DataWarningKind.LookAlikeClassNames, warning.Kind);
        Assert.StartsWith("class names 'Cat' (U+0043 U+0061 U+0074), 'cat' (U+0063 U+0061 U+0074) differ only in case", warning.Message);
    }

    [Fact]
    public void Skipped_NamesTheFileAndTheReason_AsTheMessageEveryViewShows()
    {
        var warning = DataWarning.Skipped("/data/a/bad\u001b.png", "not an image");

        Assert.Equal(DataWarningKind.SkippedImage, warning.Kind);
        Assert.Equal("skipped '/data/a/bad\u001b.png': not an image", warning.Message);
        Assert.Equal("/data/a/bad\u001b.png", warning.Path);
    }
}
