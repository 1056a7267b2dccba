using System.IO.Hashing;
using System.Text;

namespace Classifier.Core.Sharding;

/// <summary>
/// Which shard a file belongs to. The key is the file's path relative to the folder given on the command line, with
/// <c>/</c> between components (so Windows and Linux spell it alike) and its characters as the file system gives them
/// (every node reading one shared volume sees the same names; the tool runs with invariant globalization, which does
/// not normalise Unicode). The hash is XXH64 (seed 0) of the key's UTF-8 bytes, and the shard of N is that 64-bit
/// value modulo N. XXH64 is a
/// published algorithm (not <c>string.GetHashCode</c>, which changes per process), so every machine and every .NET
/// version agree, and other tools can reproduce the partition (Python: <c>xxhash.xxh64_intdigest(key.encode()) % n</c>).
/// </summary>
public static class ShardKey
{
    /// <summary>The key of <paramref name="path"/> relative to <paramref name="folder"/>.</summary>
    public static string Relative(string folder, string path) => Normalize(Path.GetRelativePath(folder, path));

    /// <summary><paramref name="path"/> with <c>/</c> between components.</summary>
    public static string Normalize(string path) => Path.DirectorySeparatorChar == '\\' ? path.Replace('\\', '/') : path;

    /// <summary>XXH64 (seed 0) of the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static ulong Hash(string key) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));

    /// <summary>The shard, 0 to <paramref name="count"/> - 1, of the file with the key <paramref name="key"/>.</summary>
    public static int ShardOf(string key, int count) => (int)(Hash(key) % (ulong)count);
}
