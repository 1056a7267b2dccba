namespace Classifier.Core.Checking;

/// <summary>A data folder as found on disk, before its files are inspected.</summary>
internal sealed record FolderListing(string Name, string Root, IReadOnlyList<ClassListing> Classes, IReadOnlyList<IgnoredFile> Ignored)
{
    /// <summary>The folder with per-class counts of files and readable files.</summary>
    public FolderSummary Summarise(IReadOnlyList<FileEntry> files, IReadOnlyList<ImageInspection> inspections)
    {
        var readable = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            if (files[i].Folder != Name || !inspections[i].IsReadable) continue;
            readable[files[i].Class] = readable.GetValueOrDefault(files[i].Class) + 1;
        }
        return new FolderSummary(Name, Root,
            Classes.Select(c => new ClassSummary(c.Name, c.Files.Count, readable.GetValueOrDefault(c.Name))).ToList(), Ignored);
    }
}
