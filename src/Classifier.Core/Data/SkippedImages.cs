using System.Collections.Concurrent;

namespace Classifier.Core.Data;

/// <summary>
/// Images that could not be read, with the reason. Thread-safe: decoding workers add to it. Each file is recorded
/// (and announced through <see cref="Skipped"/>) once, however many epochs meet it.
/// </summary>
public sealed class SkippedImages
{
    private readonly ConcurrentDictionary<string, string> _reasons = new(StringComparer.Ordinal);

    /// <summary>Raised once per file, on the thread that found the problem.</summary>
    public event Action<string, string>? Skipped;

    /// <summary>Records that <paramref name="path"/> was skipped because of <paramref name="reason"/>.</summary>
    public void Add(string path, string reason)
    {
        if (_reasons.TryAdd(path, reason)) Skipped?.Invoke(path, reason);
    }

    /// <summary>Number of distinct files skipped so far.</summary>
    public int Count => _reasons.Count;

    /// <summary>Skipped files and reasons, ordered by path.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All =>
        _reasons.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
}
