using System.Text;

namespace Classifier.Core.Data;

/// <summary>
/// Class names that are different folders on Linux but one folder on macOS and Windows (case-insensitive file systems),
/// or that look the same on screen: <c>Cat</c> and <c>cat</c>, <c>café</c> written precomposed (NFC) and decomposed
/// (NFD). A dataset copied between such systems merges or splits those classes.
/// </summary>
public static class LookAlikeNames
{
    /// <summary>Groups of two or more names in <paramref name="names"/> that are equal after Unicode NFC normalisation and case folding.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Groups(IEnumerable<string> names) =>
        names.GroupBy(Key, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)g.ToList())
            .ToList();

    /// <summary>One line describing a group, with each name's code points so NFC and NFD spellings can be told apart.</summary>
    public static string Describe(IReadOnlyList<string> group) =>
        string.Join(", ", group.Select(n => $"'{n}' ({string.Join(" ", n.Select(c => $"U+{(int)c:X4}"))})")) +
        " differ only in case or Unicode normalisation: one folder on macOS and Windows, and easily mistaken; rename or merge them";

    /// <summary>
    /// The name decomposed (each precomposed Latin letter written as its base letter and combining mark, as NFD does)
    /// and upper-cased. classify runs with invariant globalization, where .NET's own normalisation leaves non-ASCII text
    /// as it is, so the Latin-1 and Latin Extended-A letters are decomposed from this table (generated from Python's
    /// unicodedata NFD); other scripts are compared by case only.
    /// </summary>
    private static string Key(string name)
    {
        var key = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (Decomposed.TryGetValue(c, out var pair)) key.Append(pair.Base).Append(pair.Mark);
            else key.Append(c);
        }
        return key.ToString().ToUpperInvariant();
    }

    private static readonly Dictionary<char, (char Base, char Mark)> Decomposed = BuildTable();

    private static Dictionary<char, (char Base, char Mark)> BuildTable()
    {
        (char Mark, string Composed, string Bases)[] rows =
        [
        ('\u0300', "ÀÈÌÒÙàèìòù", "AEIOUaeiou"),
        ('\u0301', "ÁÉÍÓÚÝáéíóúýĆćĹĺŃńŔŕŚśŹź", "AEIOUYaeiouyCcLlNnRrSsZz"),
        ('\u0302', "ÂÊÎÔÛâêîôûĈĉĜĝĤĥĴĵŜŝŴŵŶŷ", "AEIOUaeiouCcGgHhJjSsWwYy"),
        ('\u0303', "ÃÑÕãñõĨĩŨũ", "ANOanoIiUu"),
        ('\u0308', "ÄËÏÖÜäëïöüÿŸ", "AEIOUaeiouyY"),
        ('\u030A', "ÅåŮů", "AaUu"),
        ('\u0327', "ÇçĢģĶķĻļŅņŖŗŞşŢţ", "CcGgKkLlNnRrSsTt"),
        ('\u0304', "ĀāĒēĪīŌōŪū", "AaEeIiOoUu"),
        ('\u0306', "ĂăĔĕĞğĬĭŎŏŬŭ", "AaEeGgIiOoUu"),
        ('\u0328', "ĄąĘęĮįŲų", "AaEeIiUu"),
        ('\u0307', "ĊċĖėĠġİŻż", "CcEeGgIZz"),
        ('\u030C', "ČčĎďĚěĽľŇňŘřŠšŤťŽž", "CcDdEeLlNnRrSsTtZz"),
        ('\u030B', "ŐőŰű", "OoUu"),
        ];
        var table = new Dictionary<char, (char, char)>();
        foreach (var (mark, composed, bases) in rows)
            for (int i = 0; i < composed.Length; i++) table[composed[i]] = (bases[i], mark);
        return table;
    }
}
