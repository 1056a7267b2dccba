using Microsoft.Win32.SafeHandles;

namespace Classifier.Cli.Output;

/// <summary>
/// The process's stdout as a stream whose write errors are seen. .NET's own console stream drops writes to a closed pipe
/// without a word (so <c>classify predict | head -1</c> went on classifying every file), and its other errors (a full
/// disk, <c>&gt; /dev/full</c>) escaped as a stack trace. Here every failed write becomes a
/// <see cref="StandardOutputException"/>, which <see cref="Commands.CommandRunner"/> turns into a quiet exit 0 for a
/// closed pipe (as <c>grep</c> and <c>find</c> do) or one line naming stdout.
/// </summary>
internal sealed class StandardOutputStream(Stream inner) : Stream
{
    /// <summary>
    /// A writer over file descriptor 1 that flushes every write, or null when descriptor 1 cannot be wrapped (then the
    /// console's own writer stays).
    /// </summary>
    public static TextWriter? OpenWriter()
    {
        if (OperatingSystem.IsWindows()) return null;
        try
        {
            var file = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return new StreamWriter(new StandardOutputStream(file), new System.Text.UTF8Encoding(false), 1 << 14) { AutoFlush = true };
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null; // stdout closed or not writable at start: leave the console writer as it is
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (IOException e)
        {
            throw new StandardOutputException(e);
        }
    }

    public override void Flush()
    {
        try
        {
            inner.Flush();
        }
        catch (IOException e)
        {
            throw new StandardOutputException(e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
