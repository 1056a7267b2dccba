using Classifier.Core.Data;

namespace Classifier.Core.Sharding;

/// <summary>The images of a data folder that one shard evaluates, and where they sit in the whole folder.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="FolderImages">Images in the whole data folder (all shards together).</param>
/// <param name="Positions">For each image of the shard, its position in the whole folder's dataset order.</param>
public sealed record ShardSelection(Shard Shard, int FolderImages, IReadOnlyList<int> Positions)
{
    /// <summary>
    /// The whole data folder's identity: SHA-256 of every image's path relative to the folder, class and size in bytes,
    /// sorted. Every shard of one folder computes the same; a merge refuses shards whose folders' contents differ.
    /// </summary>
    public string? DataSha256 { get; init; }

    /// <summary>
    /// The images of <paramref name="data"/> in <paramref name="shard"/>, keyed by their path relative to the data
    /// folder (class folder included, e.g. <c>Bag/0001.png</c>); the classes stay those of <paramref name="data"/>.
    /// </summary>
    public static (Dataset Data, ShardSelection Selection) Select(Dataset data, Shard shard)
    {
        var images = new List<LabeledImage>();
        var positions = new List<int>();
        for (int i = 0; i < data.Images.Count; i++)
        {
            if (!shard.Contains(ShardKey.Relative(data.Root, data.Images[i].Path))) continue;
            images.Add(data.Images[i]);
            positions.Add(i);
        }
        return (data.WithImages(images), new ShardSelection(shard, data.Images.Count, positions) { DataSha256 = Identity(data) });
    }

    private static string Identity(Dataset data)
    {
        var lines = data.Images.Select(image =>
        {
            long size;
            try
            {
                size = new FileInfo(image.Path).Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                size = -1; // unreadable now: the evaluation skips it, and the identity still names it
            }
            return $"{ShardKey.Relative(data.Root, image.Path)}\t{data.ClassNames[image.Label]}\t{size}";
        }).Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines))));
    }
}
