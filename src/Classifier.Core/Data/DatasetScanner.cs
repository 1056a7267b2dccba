namespace Classifier.Core.Data;

/// <summary>
/// Reads a data folder laid out as one sub-folder per class (the <c>flow_from_directory</c> contract): class names
/// are the immediate sub-folders in ordinal order, and images are found recursively below each class folder.
/// Hidden files and folders and files without an image extension are ignored. Symbolic links are followed, each
/// real folder and each real file at most once (by device and inode), so a link loop can neither run forever nor
/// multiply samples. A class folder whose name is not valid UTF-8 is an error: .NET cannot open it, and leaving it
/// out would silently change the classes.
/// </summary>
public static class DatasetScanner
{
    /// <summary>
    /// Scans <paramref name="root"/>. Throws <see cref="ClassifierException"/> for a missing folder or fewer than
    /// <paramref name="minimumClasses"/> class folders with images: training needs two, evaluating a batch of one
    /// class against a model needs one.
    /// </summary>
    public static Dataset Scan(string root, int minimumClasses = 2)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full))
            throw new ClassifierException($"Data folder '{root}' is a file; give a folder with one sub-folder per class.");
        if (!Directory.Exists(full))
            throw new ClassifierException($"Data folder '{root}' does not exist.");

        var classDirs = new DirectoryInfo(full).EnumerateDirectories()
            .Where(d => !ImageFormats.IsHidden(d.Name))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList();

        var classNames = new List<string>();
        var images = new List<LabeledImage>();
        var empty = new List<string>();
        var classOfFile = new Dictionary<(ulong, ulong), (string Path, string Class)>();
        foreach (var dir in classDirs)
        {
            if (dir.Name.Contains('\uFFFD'))
                throw new ClassifierException(
                    $"Class folder '{dir.FullName}': {FileStatus.NotUtf8}. Leaving it out would change the classes, so nothing was done.");
            var files = FindImages(dir.FullName);
            if (files.Count == 0)
            {
                empty.Add(dir.Name);
                continue;
            }
            RefuseFilesUnderTwoClasses(files, dir.Name, classOfFile);
            int label = classNames.Count;
            classNames.Add(dir.Name);
            images.AddRange(files.Select(f => new LabeledImage(f, label)));
        }

        if (classNames.Count < minimumClasses)
        {
            var found = classNames.Count == 0 ? "no class folder with images" : $"only one class ('{classNames[0]}')";
            var needed = minimumClasses == 1 ? "at least one sub-folder of images named after its class" : "at least two sub-folders of images, one per class";
            var emptyNote = empty.Count > 0 ? $" Empty class folders: {string.Join(", ", empty)}." : "";
            throw new ClassifierException($"Data folder '{root}' has {found}; it needs {needed}.{emptyNote}");
        }
        return new Dataset(full, classNames, images, empty);
    }

    /// <summary>
    /// A link such as <c>Bag/loop -> ..</c> makes every other class's images Bag images too: one file, two labels. Each
    /// file is taken once inside a class (<see cref="FindImages"/>); across classes the same file is refused, naming
    /// both paths, since either label would be a guess.
    /// </summary>
    private static void RefuseFilesUnderTwoClasses(List<string> files, string className, Dictionary<(ulong, ulong), (string Path, string Class)> classOfFile)
    {
        foreach (var file in files)
        {
            var status = FileStatus.Of(file);
            if (status.Kind != FileKind.Regular) continue;
            if (classOfFile.TryGetValue((status.Device, status.Inode), out var first) && first.Class != className)
                throw new ClassifierException(
                    $"'{first.Path}' (class '{first.Class}') and '{file}' (class '{className}') are the same file, reached through a link; " +
                    "a file cannot belong to two classes. Remove the link (or the copy) from one class folder.");
            classOfFile.TryAdd((status.Device, status.Inode), (file, className));
        }
    }

    /// <summary>
    /// Image files below <paramref name="classDir"/>, in ordinal order of their path relative to it. Each folder is
    /// listed once and each file taken once, by their identity (device and inode), whatever links lead to them: a link
    /// loop such as <c>ext/self -> .</c> reached through another link cannot multiply one image into many samples.
    /// A sub-folder that cannot be listed because its name is not valid UTF-8 is returned as if it were a file, so
    /// that reading it fails with that reason, named, like any unreadable image (skipped with a warning, an error with
    /// --strict, a finding in check). <paramref name="onIgnored"/>, when given, hears of every entry left out (path and
    /// why), for <c>classify check</c>.
    /// </summary>
    internal static List<string> FindImages(string classDir, Action<string, string>? onIgnored = null)
    {
        var found = new List<(string Relative, string Full)>();
        var visitedFolders = new HashSet<(ulong, ulong)>();
        var visitedPaths = new HashSet<string>(StringComparer.Ordinal); // where identities are unknown (not Linux)
        var takenFiles = new Dictionary<(ulong, ulong), string>();
        var pending = new Stack<string>();
        pending.Push(classDir);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            var status = FileStatus.Of(dir);
            if (status.HasIdentity ? !visitedFolders.Add((status.Device, status.Inode)) : !visitedPaths.Add(RealPath(dir)))
            {
                onIgnored?.Invoke(dir, "a folder already read through another path (link)");
                continue;
            }
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                if (Path.GetFileName(dir).Contains('\uFFFD'))
                    found.Add((Path.GetRelativePath(classDir, dir), dir));
                else
                    onIgnored?.Invoke(dir, $"folder cannot be listed ({e.Message})");
                continue; // an unreadable sub-folder holds nothing we can train on
            }
            foreach (var entry in entries)
            {
                if (ImageFormats.IsHidden(entry.Name))
                    onIgnored?.Invoke(entry.FullName, "hidden");
                else if (IsDirectory(entry))
                    pending.Push(entry.FullName);
                else if (ImageFormats.IsImagePath(entry.Name))
                    found.Add((Path.GetRelativePath(classDir, entry.FullName), entry.FullName));
                else
                    onIgnored?.Invoke(entry.FullName, "not an image file name (extension)");
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        var images = new List<string>(found.Count);
        foreach (var (_, full) in found)
        {
            // One file reached by two paths is one sample: the first path in order stands for it.
            var status = FileStatus.Of(full);
            if (status.Kind == FileKind.Regular && !takenFiles.TryAdd((status.Device, status.Inode), full))
            {
                onIgnored?.Invoke(full, $"the same file as '{takenFiles[(status.Device, status.Inode)]}' (reached through a link)");
                continue;
            }
            images.Add(full);
        }
        return images;
    }
    private static bool IsDirectory(FileSystemInfo entry)
    {
        if (entry is DirectoryInfo) return true;
        if (entry.LinkTarget is null) return false;
        // A symbolic link to a folder enumerates as a file on some platforms; resolve it.
        return Directory.Exists(entry.FullName);
    }

    private static string RealPath(string dir)
    {
        try
        {
            var info = new DirectoryInfo(dir);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            var resolved = target?.FullName ?? info.FullName;
            // Parents may be links too; resolve each step so two routes to one folder compare equal.
            var parent = Path.GetDirectoryName(resolved);
            return parent is null || parent == resolved ? resolved : Path.Combine(RealPath(parent), Path.GetFileName(resolved));
        }
        catch (IOException)
        {
            return dir;
        }
    }
}
