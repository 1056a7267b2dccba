using System.Text;

namespace Classifier.Core.Runs;

/// <summary>
/// Field quoting for the CSV files classify writes (RFC 4180), with OWASP's guard against CSV injection: class names
/// and paths come from folder names anyone can choose, and a spreadsheet runs a cell that starts with <c>=</c>,
/// <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return as a formula (<c>=cmd|' /C calc'!A0</c>). Such a text
/// field is written with a leading single quote and quoted, so spreadsheets show it as text. Numbers are not text
/// fields and are written as they are.
/// </summary>
public static class Csv
{
    /// <summary>First characters that make a spreadsheet read a cell as a formula.</summary>
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>
    /// The text field, defused when it could be read as a formula, and quoted when it holds a comma, quote or line
    /// break. A field that starts with a single quote gets one more, so that <see cref="Split"/> can always remove the
    /// defusing quote again: every quoted field that starts with a single quote was written by this method.
    /// </summary>
    public static string Escape(string field)
    {
        if (field.Length > 0 && (Array.IndexOf(FormulaStarts, field[0]) >= 0 || field[0] == '\''))
            return "\"'" + field.Replace("\"", "\"\"") + "\"";
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>
    /// Splits one line written with <see cref="Escape"/> (quoted fields may hold commas and doubled quotes) into its
    /// fields, removing the single quote that defused a field.
    /// </summary>
    public static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') { quoted = true; wasQuoted = true; }
            else if (c == ',') { cells.Add(Field(cell, wasQuoted)); cell.Clear(); wasQuoted = false; }
            else cell.Append(c);
        }
        cells.Add(Field(cell, wasQuoted));
        return cells;
    }

    private static string Field(StringBuilder cell, bool wasQuoted) =>
        wasQuoted && cell.Length > 0 && cell[0] == '\'' ? cell.ToString(1, cell.Length - 1) : cell.ToString();
}
