namespace Classifier.Cli.Output;

/// <summary>A write to stdout failed: the reader closed the pipe, or the file or device behind it is full.</summary>
internal sealed class StandardOutputException(IOException cause) : IOException($"could not write to stdout: {cause.Message}", cause)
{
    private const int BrokenPipe = 32; // EPIPE: .NET gives the errno as the HResult of an IOException it raises on Unix

    /// <summary>True when the reading end of the pipe is gone (<c>| head -1</c>): nothing more is wanted, not a failure.</summary>
    public bool IsClosedPipe => cause.HResult == BrokenPipe || cause.Message.Contains("Broken pipe", StringComparison.Ordinal);
}
