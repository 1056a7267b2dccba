using System.Text;

namespace Classifier.Core.Runs;

/// <summary><c>skipped.csv</c>: <c>path,reason</c>, one row per file that could not be read.</summary>
public static class SkippedCsv
{
    /// <summary>Writes the skipped files atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, string>> skipped)
    {
        var text = new StringBuilder("path,reason\n");
        foreach (var (file, reason) in skipped)
            text.Append(Csv.Escape(file)).Append(',').Append(Csv.Escape(reason)).Append('\n');
        AtomicFile.WriteText(path, text.ToString());
    }
}
