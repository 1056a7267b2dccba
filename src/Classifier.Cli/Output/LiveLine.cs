namespace Classifier.Cli.Output;

/// <summary>
/// One line on a terminal that is redrawn in place: each new text returns the cursor to the line's start with
/// <c>\r</c> and pads over what was longer before; <see cref="Clear"/> blanks it so normal lines can follow. Used for
/// the training progress on stdout, and on stderr for the progress of check, eval and lr-find and for downloads.
/// </summary>
internal sealed class LiveLine(TextWriter writer)
{
    private int _length;

    /// <summary>Replaces the line with <paramref name="text"/>.</summary>
    public void Show(string text)
    {
        writer.Write("\r" + text.PadRight(_length));
        _length = text.Length;
    }

    /// <summary>Blanks the line and leaves the cursor at its start; nothing is written when nothing is shown.</summary>
    public void Clear()
    {
        if (_length == 0) return;
        writer.Write("\r" + new string(' ', _length) + "\r");
        _length = 0;
    }
}
