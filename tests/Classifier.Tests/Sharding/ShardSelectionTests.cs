using Classifier.Core.Data;
using Classifier.Core.Sharding;
using Classifier.Tests.Support;

namespace Classifier.Tests.Sharding;

public sealed class ShardSelectionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Shards_OfTheSampleFolder_AreDisjointAndTogetherTheWholeFolder(int count)
    {
        var data = DatasetScanner.Scan(Path.Combine(SampleData.FashionMini, "val"));

        var selections = Enumerable.Range(0, count).Select(k => ShardSelection.Select(data, new Shard(k, count))).ToList();

        var positions = selections.SelectMany(s => s.Selection.Positions).ToList();
        Assert.Equal(data.Images.Count, positions.Count);
        Assert.Equal(Enumerable.Range(0, data.Images.Count), positions.Order());
        foreach (var (part, selection) in selections)
        {
            Assert.Equal(data.ClassNames, part.ClassNames);
            Assert.Equal(data.Images.Count, selection.FolderImages);
            Assert.Equal(selection.Positions.Select(p => data.Images[p]), part.Images);
            // Each shard keeps the folder's order, so its own evaluation lists errors as one run would.
            Assert.Equal(selection.Positions.Order(), selection.Positions);
        }
        if (count > 1) Assert.All(selections, s => Assert.InRange(s.Data.Images.Count, 1, data.Images.Count - 1));
    }

    [Fact]
    public void Shards_DependOnThePathBelowTheFolder_NotOnWhereTheFolderIs()
    {
        using var dir = new TempDir();
        var here = DatasetScanner.Scan(Path.Combine(SampleData.FashionMini, "val"));
        var copy = dir.Combine("elsewhere", "val");
        foreach (var image in here.Images)
        {
            var target = Path.Combine(copy, Path.GetRelativePath(here.Root, image.Path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(image.Path, target);
        }
        var there = DatasetScanner.Scan(copy);

        var shard = new Shard(2, 7);
        Assert.Equal(ShardSelection.Select(here, shard).Selection.Positions, ShardSelection.Select(there, shard).Selection.Positions);
    }
}
