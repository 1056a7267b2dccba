namespace Classifier.Core.Checking;

/// <summary>
/// Exact duplicates by SHA-256 of the file bytes: copies under two classes (a label conflict, error), copies in both
/// training and validation data (leakage, error) and copies inside one class (a warning: the image counts twice).
/// </summary>
internal static class Duplicates
{
    public static IEnumerable<CheckFinding> Find(IReadOnlyList<FileEntry> files, IReadOnlyList<ImageInspection> inspections)
    {
        var groups = Enumerable.Range(0, files.Count)
            .Where(i => inspections[i].Sha256 is not null)
            .GroupBy(i => inspections[i].Sha256!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1);
        foreach (var group in groups)
        {
            var members = group.Select(i => files[i]).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
            var paths = members.Select(m => m.Path).ToList();
            var folders = members.Select(m => m.Folder).Distinct().ToList();
            if (folders.Count > 1)
                yield return new CheckFinding(Severity.Error, FindingKinds.Leakage,
                    $"the same file is in {Where(members)}: validation scores would count images the model trained on", paths);
            foreach (var inFolder in members.GroupBy(m => m.Folder))
            {
                var classes = inFolder.Select(m => m.Class).Distinct().ToList();
                if (classes.Count > 1)
                    yield return new CheckFinding(Severity.Error, FindingKinds.LabelConflict,
                        $"the same file is labelled {string.Join(" and ", classes.Select(c => $"'{c}'"))} in {inFolder.Key}",
                        inFolder.Select(m => m.Path).ToList());
                foreach (var inClass in inFolder.GroupBy(m => m.Class).Where(c => c.Count() > 1))
                    yield return new CheckFinding(Severity.Warning, FindingKinds.Duplicate,
                        $"{inClass.Count()} identical copies in class '{inClass.Key}' of {inFolder.Key}",
                        inClass.Select(m => m.Path).ToList());
            }
        }
    }

    private static string Where(IEnumerable<FileEntry> members) =>
        string.Join(" and ", members.GroupBy(m => m.Folder).Select(g => $"{g.Key} ({string.Join(", ", g.Select(m => m.Class).Distinct())})"));
}
