using Classifier.Core;
using Classifier.Core.Data;

namespace Classifier.Tests.Data;

public sealed class DatasetSplitTests
{
    private static Dataset Make(int perClassA, int perClassB)
    {
        var images = Enumerable.Range(0, perClassA).Select(i => new LabeledImage($"/d/a/{i:D3}.png", 0))
            .Concat(Enumerable.Range(0, perClassB).Select(i => new LabeledImage($"/d/b/{i:D3}.png", 1))).ToList();
        return new Dataset("/d", ["a", "b"], images, []);
    }

    [Fact]
    public void Stratified_HoldsOutTheFractionOfEachClass()
    {
        var (train, validation) = DatasetSplit.Stratified(Make(100, 20), 0.2, seed: 7);

        Assert.Equal(20, validation.Images.Count(i => i.Label == 0));
        Assert.Equal(4, validation.Images.Count(i => i.Label == 1));
        Assert.Equal(96, train.Images.Count);
        Assert.Empty(train.Images.Intersect(validation.Images));
    }

    [Fact]
    public void Stratified_IsTheSameForTheSameSeed_AndDiffersForAnother()
    {
        var data = Make(50, 50);
        var first = DatasetSplit.Stratified(data, 0.3, seed: 1).Validation.Images.Select(i => i.Path).ToList();
        var again = DatasetSplit.Stratified(data, 0.3, seed: 1).Validation.Images.Select(i => i.Path).ToList();
        var other = DatasetSplit.Stratified(data, 0.3, seed: 2).Validation.Images.Select(i => i.Path).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void RequireSameClasses_ListsTheDifferencesBothWays()
    {
        var train = new Dataset("/train", ["cat", "dog", "fox"], [], []);
        var validation = new Dataset("/val", ["cat", "dog", "owl"], [], []);

        var e = Assert.Throws<ClassifierException>(() => DatasetSplit.RequireSameClasses(train, validation));

        Assert.Contains("only in training data '/train': fox", e.Message);
        Assert.Contains("only in validation data '/val': owl", e.Message);
    }
}
