namespace Classifier.Core.Runs;

/// <summary>
/// A run folder's claim: <c>.lock</c> in the folder, opened with an exclusive lock (<see cref="FileShare.None"/>,
/// which .NET implements on Unix with <c>flock</c>) and held for the life of the training process. A second
/// <c>train -o</c> or <c>--resume</c> on the same folder fails to take it at once instead of mixing its files with
/// the first run's. The operating system releases the lock when the process ends, however it ends, so a killed run
/// never leaves a folder locked; the file itself is harmless and hidden.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside a run folder.</summary>
    public const string FileName = ".lock";

    private readonly FileStream _stream;
    private readonly bool _created;

    private RunLock(FileStream stream, bool created)
    {
        _stream = stream;
        _created = created;
    }

    /// <summary>Takes the lock of <paramref name="folder"/> (which must exist), or returns null when another process holds it.</summary>
    public static RunLock? TryTake(string folder) => TryTake(folder, FileName);

    /// <summary>
    /// Takes the lock file <paramref name="fileName"/> in <paramref name="folder"/> (which must exist), or returns null
    /// when another process holds it. Eval folders use their own name, so they never look like run folders.
    /// </summary>
    public static RunLock? TryTake(string folder, string fileName)
    {
        var path = Path.Combine(folder, fileName);
        if (IsLink(path))
            throw new ClassifierException($"'{path}' is a symbolic link; classify does not follow links in a run folder. Delete it.");
        try
        {
            bool existed = File.Exists(path);
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), created: !existed);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            return null; // held by a running classify (the file exists and could not be locked)
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Cannot write into the run folder '{folder}': {e.Message} Choose a folder you can write to.", e);
        }
    }

    /// <summary>Takes the lock of <paramref name="folder"/>, or throws naming the folder when another run holds it.</summary>
    public static RunLock Take(string folder, string shownName) =>
        TryTake(folder) ?? throw new ClassifierException(
            $"Run folder '{shownName}' is in use by another classify process (training or resuming it); wait for it to end, or choose another folder.");

    /// <summary>
    /// A lock held elsewhere: on Unix .NET's HResult is flock's errno EWOULDBLOCK (11 on Linux, 35 on macOS); on
    /// Windows it is ERROR_SHARING_VIOLATION (32).
    /// </summary>
    private static bool IsSharingViolation(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == 32 : e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11);

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// Releases the lock after a refused claim: a lock file this claim created is removed again, so a folder that was
    /// refused is left exactly as it was found.
    /// </summary>
    public void Abandon()
    {
        _stream.Dispose();
        if (_created) File.Delete(_stream.Name);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
