using Classifier.Core.Data;
using Classifier.Core.Sharding;

namespace Classifier.Core.Prediction;

/// <summary>
/// Turns <c>predict</c>'s arguments into files, lazily: a file is taken as given (whatever its extension; a non-image
/// gets an error row later), a folder is walked recursively for image files with the same rules as the data scan
/// (image extensions in any case, hidden entries skipped, symbolic links followed with each real folder and file taken
/// once, by device and inode; a folder that cannot be listed gets an error row), and a missing path gives an error
/// row. Every path is made absolute, found or missing, so rows read alike. Memory stays bounded on huge folders:
/// entries stream from the file system, and only a folder's first <see cref="SortedFolderLimit"/> entries are held, to
/// sort them; a folder with more entries is streamed in file-system order.
/// </summary>
public static class PredictionInputs
{
    /// <summary>Folders with at most this many entries are listed in ordinal name order.</summary>
    public const int SortedFolderLimit = 4096;

    /// <summary>The inputs for <paramref name="arguments"/>, in argument order.</summary>
    public static IEnumerable<PredictionInput> Enumerate(IEnumerable<string> arguments) => Enumerate(arguments, shard: null);

    /// <summary>
    /// The inputs for <paramref name="arguments"/> that fall in <paramref name="shard"/> (all of them when null), in
    /// argument order. A file found in a folder argument is keyed by its path relative to that folder; a file or missing
    /// path given as an argument by the argument as written (see <see cref="ShardKey"/>).
    /// </summary>
    public static IEnumerable<PredictionInput> Enumerate(IEnumerable<string> arguments, Shard? shard)
    {
        foreach (var argument in arguments)
        {
            if (File.Exists(argument))
            {
                if (shard?.Contains(ShardKey.Normalize(argument)) != false)
                    yield return new PredictionInput(Path.GetFullPath(argument));
            }
            else if (Directory.Exists(argument))
            {
                var folder = Path.GetFullPath(argument);
                foreach (var input in Walk(folder))
                    if (shard?.Contains(ShardKey.Relative(folder, input.Path)) != false)
                        yield return input;
            }
            else if (shard?.Contains(ShardKey.Normalize(argument)) != false)
            {
                // absolute, as found files are, so every row names its file the same way
                yield return new PredictionInput(Path.GetFullPath(argument), "no such file or folder");
            }
        }
    }

    private static IEnumerable<PredictionInput> Walk(string root)
    {
        var visited = new HashSet<(ulong, ulong)>();
        var visitedPaths = new HashSet<string>(StringComparer.Ordinal); // where identities are unknown (not Linux)
        var files = new HashSet<(ulong, ulong)>();
        var pending = new Stack<string>();
        pending.Push(root);
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            var status = FileStatus.Of(dir);
            if (status.HasIdentity ? !visited.Add((status.Device, status.Inode)) : !visitedPaths.Add(RealPath(dir))) continue;
            var subfolders = new List<string>();
            var head = new List<FileSystemInfo>();
            IEnumerator<FileSystemInfo> entries;
            bool more = true;
            string? listingError = null;
            try
            {
                entries = new DirectoryInfo(dir).EnumerateFileSystemInfos("*", options).GetEnumerator();
                while (head.Count < SortedFolderLimit && (more = entries.MoveNext())) head.Add(entries.Current);
            }
            catch (IOException e)
            {
                entries = Enumerable.Empty<FileSystemInfo>().GetEnumerator();
                more = false;
                listingError = dir.Contains('\uFFFD') ? FileStatus.NotUtf8 : $"folder cannot be listed ({e.Message})";
            }
            using (entries)
            {
                if (listingError is not null) yield return new PredictionInput(dir, listingError);
                if (!more) head.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                foreach (var entry in head)
                    if (Accept(entry, subfolders, files) is { } file) yield return new PredictionInput(file);
                while (more && entries.MoveNext())
                    if (Accept(entries.Current, subfolders, files) is { } file) yield return new PredictionInput(file);
            }
            // Sub-folders in name order: the stack pops the last pushed first.
            subfolders.Sort(StringComparer.Ordinal);
            for (int i = subfolders.Count - 1; i >= 0; i--) pending.Push(subfolders[i]);
        }
    }

    /// <summary>The entry's path if it is an image file to classify; sub-folders are added to <paramref name="subfolders"/>.</summary>
    private static string? Accept(FileSystemInfo entry, List<string> subfolders, HashSet<(ulong, ulong)> files)
    {
        if (ImageFormats.IsHidden(entry.Name)) return null;
        if (entry is DirectoryInfo || (entry.LinkTarget is not null && Directory.Exists(entry.FullName)))
        {
            subfolders.Add(entry.FullName);
            return null;
        }
        if (!ImageFormats.IsImagePath(entry.Name)) return null;
        // One file reached by two paths is predicted once, as in training and evaluation.
        var status = FileStatus.Of(entry.FullName);
        return status.Kind != FileKind.Regular || files.Add((status.Device, status.Inode)) ? entry.FullName : null;
    }

    private static string RealPath(string dir)
    {
        try
        {
            var info = new DirectoryInfo(dir);
            var resolved = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
            var parent = Path.GetDirectoryName(resolved);
            return parent is null || parent == resolved ? resolved : Path.Combine(RealPath(parent), Path.GetFileName(resolved));
        }
        catch (IOException)
        {
            return dir;
        }
    }
}
