using SkiaSharp;

namespace Classifier.Core.Plotting;

/// <summary>
/// The key under a confusion matrix whose axes show "[i] start…" for long class names: "[i] name" in columns at least
/// <see cref="MinColumnWidth"/> px wide, each entry cut with an ellipsis to its column, at most
/// <see cref="MaxEntries"/> entries (metrics.json holds every name).
/// </summary>
internal sealed class ClassKey
{
    /// <summary>Entries drawn; the rest are counted in a last line.</summary>
    public const int MaxEntries = 60;

    private const int MinColumnWidth = 560, LineHeight = 17, Margin = 16, HeadingHeight = 22;
    private const float FontSize = 12;

    private readonly IReadOnlyList<string> _names;
    private readonly int _width, _columns, _rows;

    public ClassKey(IReadOnlyList<string> names, int width)
    {
        _names = names;
        _width = width;
        int entries = Math.Min(names.Count, MaxEntries);
        _columns = Math.Clamp((width - 2 * Margin) / MinColumnWidth, 1, entries);
        _rows = (entries + _columns - 1) / _columns + (names.Count > MaxEntries ? 1 : 0);
    }

    /// <summary>Height of the key, px.</summary>
    public int Height => HeadingHeight + _rows * LineHeight + Margin;

    /// <summary>Draws the key with its top at <paramref name="top"/> px.</summary>
    public void Draw(SKCanvas canvas, float top)
    {
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var heading = new SKFont(typeface, FontSize) { Embolden = true };
        using var font = new SKFont(typeface, FontSize);
        using var ink = new SKPaint { Color = new SKColor(0x33, 0x33, 0x33), IsAntialias = true };
        canvas.DrawText("Class names (axes show [index] and the start of each name):", Margin, top + 14, SKTextAlign.Left, heading, ink);

        int entries = Math.Min(_names.Count, MaxEntries), perColumn = (entries + _columns - 1) / _columns;
        float columnWidth = (_width - 2f * Margin) / _columns, firstLine = top + HeadingHeight + 12;
        for (int i = 0; i < entries; i++)
        {
            float x = Margin + i / perColumn * columnWidth, y = firstLine + i % perColumn * LineHeight;
            canvas.DrawText(Fit($"[{i}] {_names[i]}", font, columnWidth - 12), x, y, SKTextAlign.Left, font, ink);
        }
        if (_names.Count > MaxEntries)
            canvas.DrawText($"… and {_names.Count - MaxEntries} more: every name is in metrics.json.", Margin,
                firstLine + perColumn * LineHeight, SKTextAlign.Left, font, ink);
    }

    /// <summary>The text, shortened with an ellipsis until it fits <paramref name="maxWidth"/> px.</summary>
    private static string Fit(string text, SKFont font, float maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        int length = text.Length - 1;
        while (length > 1 && font.MeasureText(text[..length] + "…") > maxWidth) length--;
        return text[..length] + "…";
    }
}
