using System.Diagnostics;

namespace Classifier.Cli.Output;

/// <summary>
/// Progress of a pass over images (<c>check</c>, <c>eval</c>) on stderr, so stdout keeps only results: redrawn in place
/// on a terminal, nothing in logs (the result lines follow soon enough). <c>predict</c> shows none: its rows are its
/// progress.
/// </summary>
internal sealed class ProgressLine(Terminal terminal, string label)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private readonly LiveLine _line = new(terminal.Error);

    private bool Live => terminal.IsInteractive && !Console.IsErrorRedirected;

    /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> images.</summary>
    public void Report(long done, long total)
    {
        if (!Live || (_sinceRedraw.ElapsedMilliseconds < 100 && done < total)) return;
        double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        _line.Show($"{label}: {done:N0}/{total:N0} images - {rate:F0} img/s");
        _sinceRedraw.Restart();
    }

    /// <summary>Removes the line.</summary>
    public void Done() => _line.Clear();
}
