using System.Globalization;
using System.Text;

namespace Classifier.Core.Runs;

/// <summary>
/// <c>history.csv</c>: one row per epoch with the Keras CSVLogger columns first
/// (<c>epoch,accuracy,loss,val_accuracy,val_loss</c>), then <c>learning_rate</c> and <c>seconds</c>.
/// Epochs are numbered from 1, as the progress lines show them. Numbers use the invariant culture and round-trip.
/// </summary>
public static class HistoryCsv
{
    /// <summary>The header columns, in order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["epoch", "accuracy", "loss", "val_accuracy", "val_loss", "learning_rate", "seconds"];

    /// <summary>Writes all <paramref name="rows"/> to <paramref name="path"/> atomically (called after every epoch).</summary>
    public static void Write(string path, IEnumerable<HistoryRow> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', Columns)).Append('\n');
        foreach (var r in rows)
        {
            text.Append(r.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var value in new[] { r.Accuracy, r.Loss, r.ValAccuracy, r.ValLoss, r.LearningRate, r.Seconds })
                text.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        AtomicFile.WriteText(path, text.ToString());
    }

    /// <summary>
    /// Reads a history file. Columns are found by name, so extra columns are ignored; a missing required column or a
    /// value that is not a number is an error naming the file and line.
    /// </summary>
    public static IReadOnlyList<HistoryRow> Read(string path)
    {
        if (!File.Exists(path))
            throw new ClassifierException($"History file '{path}' does not exist.");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0)
            throw new ClassifierException($"History file '{path}' is empty; it needs a header line and one row per epoch.");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        var missing = Columns.Take(5).Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new ClassifierException($"History file '{path}' lacks the column(s) {string.Join(", ", missing)}; expected a header like '{string.Join(',', Columns)}'.");
        int Col(string name) => header.IndexOf(name);
        var rows = new List<HistoryRow>();
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            double Get(string name)
            {
                int c = Col(name);
                if (c < 0) return double.NaN;
                if (c >= cells.Length || !double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new ClassifierException($"History file '{path}' line {i + 1}: '{name}' is not a number.");
                return v;
            }
            rows.Add(new HistoryRow((int)Get("epoch"), Get("accuracy"), Get("loss"), Get("val_accuracy"), Get("val_loss"),
                Get("learning_rate"), Get("seconds")));
        }
        return rows;
    }
}
