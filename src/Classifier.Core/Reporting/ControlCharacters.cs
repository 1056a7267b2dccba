using System.Globalization;
using System.Text;

namespace Classifier.Core.Reporting;

/// <summary>
/// Makes names that anyone can choose (class folders, file names) safe to show: a terminal obeys ESC sequences and
/// carriage returns, a newline breaks a one-line message or a table row, and bidirectional overrides reorder what is
/// shown. Those characters are written as visible escapes (<c>\e</c>, <c>\r</c>, <c>\n</c>, <c>\t</c>,
/// <c>\u202E</c>); everything else is left as it is.
/// </summary>
public static class ControlCharacters
{
    /// <summary><paramref name="text"/> with every control and bidirectional formatting character escaped.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
                continue;
            }
            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\u001b' => "\\e",
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }
        return escaped.ToString();
    }

    /// <summary>
    /// Cuts <paramref name="text"/> to at most <paramref name="maxLength"/> characters, keeping its start and end, so a
    /// value echoed in a message (a 100 MB "data" entry of a config file, say) cannot flood the terminal.
    /// </summary>
    public static string Shorten(string text, int maxLength = 2000)
    {
        if (text.Length <= maxLength) return text;
        int keep = maxLength / 2;
        return $"{text[..keep]}...[{text.Length - 2 * keep:N0} characters cut]...{text[^keep..]}";
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029';
}
