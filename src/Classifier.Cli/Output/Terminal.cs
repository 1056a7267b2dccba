namespace Classifier.Cli.Output;

/// <summary>The writers a verb prints to (results on <see cref="Out"/>, warnings and errors on <see cref="Error"/>).</summary>
internal sealed record Terminal(TextWriter Out, TextWriter Error)
{
    /// <summary>
    /// True when <see cref="Out"/> is the process's stdout on a terminal, so a live progress line (redrawn with
    /// carriage returns) is wanted; false in logs, pipes, CI and tests, which get plain lines.
    /// </summary>
    public bool IsInteractive =>
        ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("TERM") is not "dumb"
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
