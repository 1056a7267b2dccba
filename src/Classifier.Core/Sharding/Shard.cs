using System.Globalization;

namespace Classifier.Core.Sharding;

/// <summary>
/// One of <see cref="Count"/> disjoint parts of an input (<c>--shard K/N</c>). <see cref="Index"/> counts from 0, as
/// Kubernetes' <c>JOB_COMPLETION_INDEX</c> and GitHub Actions' <c>strategy.job-index</c> do, so shard K of N holds the
/// files whose <see cref="ShardKey"/> hash is K modulo N. Every file is in exactly one shard of N, whatever the
/// machine, file system or listing order.
/// </summary>
/// <param name="Index">This shard, 0 to <see cref="Count"/> - 1.</param>
/// <param name="Count">Number of shards, at least 1.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>The largest shard count accepted (a sanity bound: more shards than this is a typo).</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>Whether the file with the key <paramref name="relativePath"/> (see <see cref="ShardKey"/>) is in this shard.</summary>
    public bool Contains(string relativePath) => ShardKey.ShardOf(relativePath, Count) == Index;

    /// <summary><c>K/N</c>, as the option is written.</summary>
    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// Parses <c>--shard</c>: <c>K/N</c> (K from 0 to N-1), <c>auto</c> (index and count from the job engine's
    /// environment) or <c>auto/N</c> (index from the engine, N shards); see <see cref="ShardEnvironment"/>.
    /// <paramref name="environment"/> looks up an environment variable (null when unset).
    /// </summary>
    public static Shard Parse(string text, Func<string, string?> environment)
    {
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var first = slash < 0 ? trimmed : trimmed[..slash];
        var second = slash < 0 ? null : trimmed[(slash + 1)..];
        if (first.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            int? count = second is null ? null : ParseCount(second, text);
            return ShardEnvironment.Resolve(environment, count);
        }
        if (second is null)
            throw new ClassifierException($"--shard '{text}': give K/N (K from 0 to N-1, e.g. 0/4), or auto to read the index from Kubernetes or Slurm.");
        if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new ClassifierException($"--shard '{text}': K must be a whole number from 0 to N-1, e.g. 0/4.");
        return Create(index, ParseCount(second, text), $"--shard {text}");
    }

    /// <summary>A checked shard; <paramref name="source"/> names where the numbers came from, for the message.</summary>
    public static Shard Create(int index, int count, string source)
    {
        if (count < 1 || count > MaxCount)
            throw new ClassifierException($"{source}: the number of shards must be from 1 to {MaxCount:N0}.");
        if (index < 0 || index >= count)
            throw new ClassifierException(
                $"{source}: the shard index counts from 0, so it must be from 0 to {count - 1} for {count} shard(s)" +
                (index == count ? $" ({index}/{count} would be the last shard counted from 1: that is {count - 1}/{count} here)." : "."));
        return new Shard(index, count);
    }

    private static int ParseCount(string value, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new ClassifierException($"--shard '{text}': N must be a whole number of shards, e.g. 0/4.");
}
