namespace Classifier.Core.Runs;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary file in the same
/// folder, is flushed to disk, and is then renamed over the target. If anything fails, the previous file is intact.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        RefuseLinkedRunSubfolder(dir, path);
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only mount, a full disk or a folder without write permission: one line, nothing half-written.
            TryDelete(temp);
            throw new ClassifierException($"Could not write '{path}': {e.Message} Is the folder read-only or the disk full?", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// A folder inside a run folder (one holding <c>options.json</c> or the run's lock file), such as <c>eval-val</c>, that
    /// is a symbolic link is refused: a link planted there (or swapped in after <see cref="PrepareFolder"/> looked) must
    /// not make classify write elsewhere. A run folder that is itself a link, named by the user, is written into.
    /// </summary>
    private static void RefuseLinkedRunSubfolder(string dir, string path)
    {
        var info = new DirectoryInfo(dir);
        if (info.LinkTarget is null || Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir)) is not { } parent) return;
        if (File.Exists(Path.Combine(parent, RunFolder.OptionsName)) || File.Exists(Path.Combine(parent, RunLock.FileName)))
            throw new ClassifierException(
                $"Could not write '{path}': '{dir}' is a symbolic link (to '{info.LinkTarget}') inside a run folder; classify does not write through links. Remove the link.");
    }

    /// <summary>
    /// Makes sure <paramref name="folder"/> exists for writing output files into: it must not be a file, and must not be
    /// a symbolic link, so a link planted in a run folder (say <c>eval-val</c> pointing elsewhere) never makes classify
    /// overwrite files outside it. A folder that cannot be created is a one-line error.
    /// </summary>
    public static void PrepareFolder(string folder, string shown)
    {
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is not null)
            throw new ClassifierException(
                $"'{shown}' is a symbolic link (to '{info.LinkTarget}'); classify does not write through links. Remove the link or give the real folder.");
        if (File.Exists(folder))
            throw new ClassifierException($"'{shown}' is a file; give a folder for the output files.");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Could not create the folder '{shown}': {e.Message} Is it on a read-only disk? Give another folder with -o.", e);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/>, atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    public static void WriteBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden temp file is harmless and never mistaken for the target.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
