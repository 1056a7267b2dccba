using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Training;

namespace Classifier.Core.Checking;

/// <summary>
/// The audit behind <c>classify check</c>: finds the folders training would read (the data folder and its
/// validation folder), inspects every image file in them without changing anything, and reports unreadable files,
/// tiny images, colour modes and orientations, class counts and imbalance, and exact duplicates inside a class,
/// across classes and across training and validation data.
/// </summary>
public static class DatasetChecker
{
    /// <summary>
    /// Runs the check. <paramref name="onProgress"/> gets (files inspected, files in total). Throws
    /// <see cref="ClassifierException"/> only when a folder is missing; everything else is a finding.
    /// </summary>
    public static CheckReport Run(CheckOptions options, Action<long, long>? onProgress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var scanned = FoldersToCheck(options).Select(f => ScanFolder(f.Name, f.Path)).ToList();
        var files = scanned.SelectMany(folder => folder.Classes.SelectMany(c =>
            c.Files.Select(path => new FileEntry(folder.Name, c.Name, path)))).ToList();

        var inspector = new ImageInspector(options.MaxPixels);
        var inspections = new ImageInspection[files.Count];
        long done = 0;
        Parallel.For(0, files.Count, new ParallelOptions
        {
            MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
            CancellationToken = cancellation,
        }, i =>
        {
            inspections[i] = inspector.Inspect(files[i].Path, cancellation);
            onProgress?.Invoke(Interlocked.Increment(ref done), files.Count);
        });

        var findings = new List<CheckFinding>();
        for (int i = 0; i < files.Count; i++) findings.AddRange(FileFindings(inspections[i], options));
        var folders = scanned.Select(f => f.Summarise(files, inspections)).ToList();
        findings.AddRange(ClassFindings.For(scanned, folders, options));
        findings.AddRange(Duplicates.Find(files, inspections));

        var readable = inspections.Where(x => x.IsReadable).ToList();
        return new CheckReport(
            folders,
            findings.OrderBy(f => f.Severity).ThenBy(f => f.Kind, StringComparer.Ordinal)
                .ThenBy(f => f.Paths.FirstOrDefault() ?? "", StringComparer.Ordinal).ToList(),
            CountBy(readable.Select(x => x.ColourMode!)),
            CountBy(readable.Select(x => ColourModes.Orientation(x.Orientation))),
            files.Count,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Training's own choice of folders: a data folder laid out as <see cref="SplitFolders"/> gives its train/, validation
    /// and test/ folders, any other the data folder itself; <c>--val DIR</c> is the validation folder.
    /// </summary>
    private static List<(string Name, string Path)> FoldersToCheck(CheckOptions options)
    {
        var layout = SplitFolders.Find(options.DataDir);
        var folders = new List<(string Name, string Path)>();
        // With --val the data folder is what training trains on.
        if (layout is null) folders.Add((options.ValidationDir is null ? "data" : "train", options.DataDir));
        else folders.Add(("train", layout.Train));
        if (options.ValidationDir is not null) folders.Add(("val", options.ValidationDir));
        else if (layout?.Validation is { } val) folders.Add(("val", val));
        if (layout?.Test is { } test) folders.Add(("test", test));
        return folders;
    }

    private static FolderListing ScanFolder(string name, string root)
    {
        var full = Path.GetFullPath(root);
        if (File.Exists(full))
            throw new ClassifierException($"Data folder '{root}' is a file; give a folder with one sub-folder per class.");
        if (!Directory.Exists(full))
            throw new ClassifierException($"Data folder '{root}' does not exist.");
        List<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(full).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ClassifierException($"Data folder '{root}' cannot be listed: {e.Message}", e);
        }
        var ignored = new List<IgnoredFile>();
        var classes = new List<ClassListing>();
        foreach (var entry in entries)
        {
            bool isFolder = entry is DirectoryInfo;
            if (ImageFormats.IsHidden(entry.Name))
                ignored.Add(new IgnoredFile(entry.FullName, "hidden"));
            else if (!isFolder)
                ignored.Add(new IgnoredFile(entry.FullName, "not inside a class folder"));
            else
                classes.Add(new ClassListing(entry.Name, entry.FullName,
                    DatasetScanner.FindImages(entry.FullName, (path, reason) => ignored.Add(new IgnoredFile(path, reason)))));
        }
        return new FolderListing(name, full, classes, ignored.OrderBy(i => i.Path, StringComparer.Ordinal).ToList());
    }

    private static IEnumerable<CheckFinding> FileFindings(ImageInspection x, CheckOptions options)
    {
        if (!x.IsReadable)
        {
            yield return new CheckFinding(Severity.Error, x.ProblemKind!, x.Problem!, [x.Path]);
            yield break;
        }
        if (Math.Min(x.Width, x.Height) < options.MinimumSide)
            yield return new CheckFinding(Severity.Warning, FindingKinds.Tiny,
                $"{x.Width}x{x.Height} pixels, under {options.MinimumSide} px on a side (--min-side)", [x.Path]);
        if (ImageFormats.FormatOf(x.Path) is { } expected && expected != x.Format)
            yield return new CheckFinding(Severity.Warning, FindingKinds.ExtensionMismatch,
                $"the content is {x.Format} but the extension says {expected}; it is read by its content", [x.Path]);
    }

    private static Dictionary<string, int> CountBy(IEnumerable<string> keys) =>
        keys.GroupBy(k => k, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
