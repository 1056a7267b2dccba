using Classifier.Core;
using Classifier.Core.Data;
using Classifier.Tests.Support;

namespace Classifier.Tests.Data;

public sealed class DatasetScannerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Image(params string[] parts) => TestImages.Solid(_dir.Combine(parts), 4, 10, 20, 30);

    [Fact]
    public void Scan_OrdersClassesOrdinally_AndLabelsByThatOrder()
    {
        foreach (var name in new[] { "cat", "Zebra", "ant", "Bee" }) Image(name, "1.png");

        var data = DatasetScanner.Scan(_dir.Path);

        Assert.Equal(["Bee", "Zebra", "ant", "cat"], data.ClassNames);
        Assert.All(data.Images, img => Assert.Equal(data.ClassNames[img.Label], Path.GetFileName(Path.GetDirectoryName(img.Path))));
    }

    [Fact]
    public void Scan_FindsImagesInNestedFolders_InOrdinalPathOrder()
    {
        Image("a", "z.png");
        Image("a", "sub", "deeper", "b.png");
        Image("a", "sub", "a.png");
        Image("b", "1.png");

        var data = DatasetScanner.Scan(_dir.Path);

        var classA = data.Images.Where(i => i.Label == 0).Select(i => Path.GetRelativePath(_dir.Combine("a"), i.Path)).ToList();
        Assert.Equal([Path.Combine("sub", "a.png"), Path.Combine("sub", "deeper", "b.png"), "z.png"], classA);
    }

    [Fact]
    public void Scan_IgnoresHiddenFilesAndFolders_AndNonImageFiles()
    {
        Image("a", "1.png");
        Image("a", ".hidden.png");
        Image("a", ".thumbs", "2.png");
        Image(".git", "3.png");
        File.WriteAllText(_dir.Combine("a", "notes.txt"), "not an image");
        File.WriteAllText(_dir.Combine("a", "Thumbs.db"), "x");
        Image("b", "1.png");

        var data = DatasetScanner.Scan(_dir.Path);

        Assert.Equal(["a", "b"], data.ClassNames);
        Assert.Equal(2, data.Images.Count);
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".JPEG")]
    [InlineData(".Png")]
    [InlineData(".bmp")]
    [InlineData(".gif")]
    [InlineData(".tif")]
    [InlineData(".TIFF")]
    [InlineData(".webp")]
    public void Scan_AcceptsEveryImageExtension_InAnyCase(string extension)
    {
        Image("a", "x" + extension.ToLowerInvariant());
        File.Move(_dir.Combine("a", "x" + extension.ToLowerInvariant()), _dir.Combine("a", "y" + extension));
        Image("b", "1.png");

        var data = DatasetScanner.Scan(_dir.Path);

        Assert.Contains(data.Images, i => i.Path.EndsWith("y" + extension, StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_ReportsAndLeavesOutEmptyClassFolders()
    {
        Image("a", "1.png");
        Image("b", "1.png");
        Directory.CreateDirectory(_dir.Combine("empty"));

        var data = DatasetScanner.Scan(_dir.Path);

        Assert.Equal(["a", "b"], data.ClassNames);
        Assert.Equal(["empty"], data.EmptyClasses);
    }

    [Fact]
    public void Scan_WithOneClass_FailsSayingTwoAreNeeded()
    {
        Image("only", "1.png");
        Directory.CreateDirectory(_dir.Combine("empty"));

        var e = Assert.Throws<ClassifierException>(() => DatasetScanner.Scan(_dir.Path));

        Assert.Contains("only one class ('only')", e.Message);
        Assert.Contains("at least two", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Scan_ForEvaluation_AcceptsOneClass_ButNotNone()
    {
        Image("only", "1.png");
        Directory.CreateDirectory(_dir.Combine("empty"));

        var data = DatasetScanner.Scan(_dir.Path, minimumClasses: 1);

        Assert.Equal(["only"], data.ClassNames);
        Assert.Single(data.Images);
        Directory.Delete(_dir.Combine("only"), recursive: true);
        var e = Assert.Throws<ClassifierException>(() => DatasetScanner.Scan(_dir.Path, minimumClasses: 1));
        Assert.Contains("no class folder with images", e.Message);
        Assert.Contains("at least one sub-folder", e.Message);
    }

    [Fact]
    public void Scan_OfAMissingFolder_FailsNamingIt()
    {
        var missing = _dir.Combine("nope");
        var e = Assert.Throws<ClassifierException>(() => DatasetScanner.Scan(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void Scan_FollowsSymbolicLinks_WithoutLoopingForever()
    {
        Image("a", "1.png");
        Image("b", "1.png");
        using var elsewhere = new TempDir();   // a folder of more images outside the data folder, linked into class b
        TestImages.Solid(elsewhere.Combine("2.png"), 4, 10, 20, 30);
        Directory.CreateSymbolicLink(_dir.Combine("a", "loop"), _dir.Combine("a"));
        Directory.CreateSymbolicLink(_dir.Combine("b", "more"), elsewhere.Path);

        var data = DatasetScanner.Scan(_dir.Path);

        Assert.Single(data.Images, i => i.Label == 0);
        Assert.Equal(2, data.Images.Count(i => i.Label == 1)); // b/1.png and b/more/2.png
    }
}
