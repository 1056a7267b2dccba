using Classifier.Core.Reporting;
using Classifier.Core.Checking;

namespace Classifier.Cli.Output;

/// <summary>The human-readable check report: class counts, colour modes, orientations, then errors and warnings.</summary>
internal static class CheckTable
{
    /// <summary>Ignored entries are many in some datasets (sidecar files); the table shows this many, JSON all.</summary>
    private const int IgnoredShown = 20;

    public static void Write(TextWriter o, CheckReport report)
    {
        var folders = report.Folders.Count == 1
            ? Show(report.Folders[0].Root)
            : string.Join(", ", report.Folders.Select(f => $"{f.Name} {Show(f.Root)}"));
        o.WriteLine($"Checked {report.Files:N0} image file(s) in {report.Seconds:F1}s: {folders}");
        o.WriteLine();
        WriteClasses(o, report.Folders);
        o.WriteLine();
        WriteCounts(o, "Colour modes", report.ColourModes);
        WriteCounts(o, "EXIF orientation (applied when reading)", report.Orientations);

        var ignored = report.Folders.SelectMany(f => f.Ignored).ToList();
        if (ignored.Count > 0)
        {
            o.WriteLine($"Ignored by training ({ignored.Count:N0}):");
            foreach (var i in ignored.Take(IgnoredShown)) o.WriteLine($"  {Show(i.Path)}: {i.Reason}");
            if (ignored.Count > IgnoredShown) o.WriteLine($"  ... and {ignored.Count - IgnoredShown:N0} more (--format json lists all)");
            o.WriteLine();
        }

        WriteFindings(o, "Errors", report.Findings.Where(f => f.Severity == Severity.Error).ToList());
        WriteFindings(o, "Warnings", report.Findings.Where(f => f.Severity == Severity.Warning).ToList());
        o.WriteLine(report.IsClean
            ? $"OK: no errors, {report.Warnings} warning(s)."
            : $"FAILED: {report.Errors} error(s), {report.Warnings} warning(s). Training skips unreadable files; label conflicts, leakage and class problems need fixing by hand.");
    }

    private static void WriteClasses(TextWriter o, IReadOnlyList<FolderSummary> folders)
    {
        var names = folders.SelectMany(f => f.Classes.Select(c => c.Name)).Distinct().Order(StringComparer.Ordinal).ToList();
        int width = Math.Max(5, names.Select(n => ControlCharacters.Escape(n).Length).DefaultIfEmpty(0).Max());
        o.WriteLine($"  {"class".PadRight(width)}" + string.Concat(folders.Select(f => $"  {f.Name,14}")));
        foreach (var name in names)
        {
            o.Write($"  {ControlCharacters.Escape(name).PadRight(width)}");
            foreach (var f in folders)
            {
                var c = f.Classes.FirstOrDefault(x => x.Name == name);
                var cell = c is null ? "-" : c.Readable == c.Files ? $"{c.Files:N0}" : $"{c.Readable:N0}/{c.Files:N0} ok";
                o.Write($"  {cell,14}");
            }
            o.WriteLine();
        }
    }

    private static void WriteCounts(TextWriter o, string title, IReadOnlyDictionary<string, int> counts)
    {
        if (counts.Count == 0) return;
        o.WriteLine($"{title}: " + string.Join(", ", counts.Select(p => $"{p.Key} {p.Value:N0}")));
        o.WriteLine();
    }

    private static void WriteFindings(TextWriter o, string title, IReadOnlyList<CheckFinding> findings)
    {
        if (findings.Count == 0) return;
        o.WriteLine($"{title} ({findings.Count:N0}):");
        foreach (var f in findings)
        {
            if (f.Paths.Count == 1)
                o.WriteLine($"  {f.Kind}: {Show(f.Paths[0])}: {ControlCharacters.Escape(f.Message)}");
            else
            {
                o.WriteLine($"  {f.Kind}: {f.Message}:");
                foreach (var p in f.Paths) o.WriteLine($"      {Show(p)}");
            }
        }
        o.WriteLine();
    }

    /// <summary>Paths below the current folder are shown relative to it, others in full.</summary>
    private static string Show(string path)
    {
        path = ControlCharacters.Escape(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
