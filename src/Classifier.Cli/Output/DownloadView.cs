using System.Diagnostics;
using System.Globalization;
using Classifier.Core.Model.Zoo;

namespace Classifier.Cli.Output;

/// <summary>
/// A weights download on stderr (as torch.hub prints it there, and so stdout keeps only results): the URL and the
/// cache path first, then bytes, rate and ETA, redrawn in place on a terminal or a plain line every
/// <see cref="PlainLineInterval"/> in logs and CI, and one closing line once the file is verified and in place.
/// </summary>
internal sealed class DownloadView(Terminal terminal)
{
    /// <summary>How often a log gets a progress line during a long download.</summary>
    private static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan LiveRedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly LiveLine _line = new(terminal.Error);
    private readonly Stopwatch _sinceLine = new();
    private string? _url;

    private bool Live => terminal.IsInteractive && !Console.IsErrorRedirected;

    /// <summary>Shows <paramref name="p"/>.</summary>
    public void Report(DownloadProgress p)
    {
        var o = terminal.Error;
        if (_url != p.Url)
        {
            _url = p.Url;
            o.WriteLine($"Downloading {p.Url}" + (p.TotalBytes is { } size ? $" ({ByteSize.Format(size)})" : "") + $" to {p.Destination}");
            _sinceLine.Restart();
        }
        if (p.Done)
        {
            _line.Clear();
            o.WriteLine($"Downloaded {ByteSize.Format(p.ReceivedBytes)} in {p.ElapsedSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
                        $"({ByteSize.Format((long)p.BytesPerSecond)}/s); its SHA-256 matches its name.");
            _url = null;
            o.Flush();
            return;
        }
        if (Live)
        {
            if (_sinceLine.Elapsed < LiveRedrawInterval) return;
            _line.Show(Line(p));
        }
        else
        {
            if (_sinceLine.Elapsed < PlainLineInterval) return;
            o.WriteLine(Line(p));
        }
        o.Flush();
        _sinceLine.Restart();
    }

    private static string Line(DownloadProgress p)
    {
        string done = p.TotalBytes is { } total and > 0
            ? $"{ByteSize.Format(p.ReceivedBytes)} of {ByteSize.Format(total)} ({100.0 * p.ReceivedBytes / total:F0}%)"
            : ByteSize.Format(p.ReceivedBytes);
        string eta = p.EtaSeconds is { } seconds ? $", ETA {Duration(seconds)}" : "";
        return $"  {done}, {ByteSize.Format((long)p.BytesPerSecond)}/s{eta}";
    }

    private static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
    }
}
