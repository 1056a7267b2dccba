namespace Classifier.Core.Runs;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary file in the same
/// folder, is flushed to disk, and is then renamed over the target. If anything fails, the previous file is intact.
/// Only a regular file (or nothing) is replaced that way: an existing FIFO or character device (<c>-o /dev/stdout</c>,
/// <c>/dev/null</c>, a named pipe) is written into as a stream, as coreutils do, and a folder or a block device is refused.
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
        if (IsStreamTarget(full, dir, path))
        {
            WriteIntoStream(full, path, write);
            return;
        }
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))   // readable: a writer may fix up what it wrote (ZipTimestamps)
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
    /// True when <paramref name="full"/> is an existing FIFO or character device to write into; throws for a folder or a
    /// block device (renaming over either would destroy it; writing a model into a disk is never what was meant). A link
    /// planted inside a run folder is still replaced, never written through, whatever it points at.
    /// </summary>
    private static bool IsStreamTarget(string full, string dir, string path)
    {
        var status = Data.FileStatus.Of(full);
        switch (status.Kind)
        {
            case Data.FileKind.Directory:
                throw new ClassifierException($"Could not write '{path}': it is a folder. Give a file name, e.g. '{Path.Combine(path, "out")}'.");
            case Data.FileKind.BlockDevice or Data.FileKind.Socket:
                throw new ClassifierException(
                    $"Could not write '{path}': it is a {(status.Kind == Data.FileKind.Socket ? "socket" : "block device")}; classify writes only to regular files, named pipes and character devices such as /dev/stdout.");
            case Data.FileKind.Fifo or Data.FileKind.CharacterDevice:
                return new FileInfo(full).LinkTarget is null || !IsRunFolder(dir);
            default:
                return false;
        }
    }

    /// <summary>Writes into an existing FIFO or character device: opened for writing without truncation, never renamed over.</summary>
    private static void WriteIntoStream(string full, string path, Action<Stream> write)
    {
        try
        {
            // Opening a FIFO for writing waits for a reader, as `cat > fifo` does.
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Could not write '{path}': {e.Message}", e);
        }
    }

    private static bool IsRunFolder(string dir) =>
        File.Exists(Path.Combine(dir, RunFolder.OptionsName)) || File.Exists(Path.Combine(dir, RunLock.FileName));

    /// <summary>
    /// A folder inside a run folder (one holding <c>options.json</c> or the run's lock file), such as <c>eval-val</c>, that
    /// is a symbolic link is refused: a link planted there (or swapped in after <see cref="PrepareFolder"/> looked) must
    /// not make classify write elsewhere. A run folder that is itself a link, named by the user, is written into.
    /// </summary>
    private static void RefuseLinkedRunSubfolder(string dir, string path)
    {
        var info = new DirectoryInfo(dir);
        if (info.LinkTarget is null || Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dir)) is not { } parent) return;
        if (IsRunFolder(parent))
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
