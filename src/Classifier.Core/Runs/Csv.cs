namespace Classifier.Core.Runs;

/// <summary>RFC 4180 field quoting for the CSV files classify writes.</summary>
public static class Csv
{
    /// <summary>The field, quoted when it holds a comma, quote or line break.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
