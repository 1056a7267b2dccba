using Classifier.Core.Sharding;

namespace Classifier.Tests.Sharding;

public sealed class ShardKeyTests
{
    // Reference values of XXH64 with seed 0, computed with the xxHash project's own C library (libxxhash 0.8.1).
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    [InlineData("Bag/0001.png", 0x77307D9BBC851263UL)]
    [InlineData("Ankle boot/img_001.png", 0xF11631C4DF14C1E1UL)]
    [InlineData("Été/é.png", 0x9ADA930B4949E48DUL)]
    public void Hash_IsXxh64OfTheUtf8Key_AsTheReferenceLibraryComputesIt(string key, ulong expected) =>
        Assert.Equal(expected, ShardKey.Hash(key));

    [Fact]
    public void ShardOf_IsTheHashModuloTheCount()
    {
        Assert.Equal(0, ShardKey.ShardOf("Bag/0001.png", 3));
        Assert.Equal(3, ShardKey.ShardOf("Bag/0001.png", 7));
        Assert.Equal(6, ShardKey.ShardOf("Ankle boot/img_001.png", 7));
        Assert.Equal(0, ShardKey.ShardOf("anything", 1));
    }

    [Fact]
    public void Relative_IsThePathBelowTheFolder_WithSlashes()
    {
        var folder = Path.Combine(Path.GetTempPath(), "data");
        Assert.Equal("Ankle boot/img_001.png", ShardKey.Relative(folder, Path.Combine(folder, "Ankle boot", "img_001.png")));
        Assert.Equal("a.png", ShardKey.Relative(folder + Path.DirectorySeparatorChar, Path.Combine(folder, "a.png")));
    }

    [Fact]
    public void EveryKey_FallsInExactlyOneShard_AndTheShardsAreRoughlyEven()
    {
        var keys = Enumerable.Range(0, 7000).Select(i => $"class{i % 10}/{i:D5}.png").ToList();
        foreach (int count in new[] { 1, 3, 7 })
        {
            var shards = Enumerable.Range(0, count).Select(k => new Shard(k, count)).ToList();
            Assert.All(keys, key => Assert.Single(shards, s => s.Contains(key)));
            var sizes = shards.Select(s => keys.Count(s.Contains)).ToList();
            Assert.All(sizes, size => Assert.InRange(size, keys.Count / count * 0.9, keys.Count / count * 1.1));
        }
    }
}
