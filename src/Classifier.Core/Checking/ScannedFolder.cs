namespace Classifier.Core.Checking;

/// <summary>A data folder as found on disk, before its files are inspected.</summary>
internal sealed record ScannedFolder(string Name, string Root, IReadOnlyList<ScannedClass> Classes, IReadOnlyList<IgnoredFile> Ignored)
{
    /// <summary>The folder with per-class counts of files and readable files.</summary>
    public CheckedFolder Summarise(IReadOnlyList<FileEntry> files, IReadOnlyList<ImageInspection> inspections)
    {
        var readable = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            if (files[i].Folder != Name || !inspections[i].IsReadable) continue;
            readable[files[i].Class] = readable.GetValueOrDefault(files[i].Class) + 1;
        }
        return new CheckedFolder(Name, Root,
            Classes.Select(c => new CheckedClass(c.Name, c.Files.Count, readable.GetValueOrDefault(c.Name))).ToList(), Ignored);
    }
}
