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

    /// <summary>The text field, defused when it could be read as a formula, and quoted when it holds a comma, quote or line break.</summary>
    public static string Escape(string field)
    {
        if (field.Length > 0 && Array.IndexOf(FormulaStarts, field[0]) >= 0)
            return "\"'" + field.Replace("\"", "\"\"") + "\"";
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
