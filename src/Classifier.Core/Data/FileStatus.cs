using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Classifier.Core.Data;

/// <summary>What kind of file system entry a path names, after following links.</summary>
public enum FileKind
{
    /// <summary>Not known (not Linux, or the call failed for another reason than a missing entry).</summary>
    Unknown,

    /// <summary>Nothing at that path (or a dangling link).</summary>
    Missing,

    /// <summary>A regular file: the only kind that is read as an image.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A named pipe (FIFO): opening it for reading blocks until a writer comes.</summary>
    Fifo,

    /// <summary>A character device such as /dev/zero.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// The identity and kind of a file system entry, from Linux's <c>statx</c> (whose buffer layout is the same on every
/// architecture), following links. .NET offers neither the file type (a FIFO looks like an empty file, and opening one
/// blocks forever) nor the device and inode numbers that tell whether two paths reach one folder or one file.
/// </summary>
/// <param name="Kind">The entry's kind.</param>
/// <param name="Device">Device number (major &lt;&lt; 32 | minor).</param>
/// <param name="Inode">Inode number on that device.</param>
/// <param name="Size">Size in bytes as the file system states it (0 for most /proc and /sys files, whatever they hold).</param>
public readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    private const int AtFdCwd = -100, AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxIno = 0x100, StatxSize = 0x200;
    private const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int NativeStatx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    /// <summary>The status of <paramref name="path"/> (links followed); <see cref="FileKind.Unknown"/> off Linux or on an unexpected error.</summary>
    public static FileStatus Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return default;
        var buffer = new byte[256];
        try
        {
            if (NativeStatx(AtFdCwd, path, 0, StatxType | StatxIno | StatxSize, buffer) != 0)
                return Marshal.GetLastPInvokeError() is ENOENT or ENOTDIR or ELOOP ? new FileStatus(FileKind.Missing, 0, 0, 0) : default;
        }
        catch (EntryPointNotFoundException)
        {
            return default; // a C library without statx (glibc before 2.28)
        }
        return FromStatx(buffer);
    }

    /// <summary>The status of the file open as <paramref name="descriptor"/> (what was actually opened, whatever the path names now).</summary>
    internal static FileStatus OfDescriptor(int descriptor)
    {
        if (!OperatingSystem.IsLinux()) return default;
        var buffer = new byte[256];
        try
        {
            if (NativeStatx(descriptor, "", AtEmptyPath, StatxType | StatxIno | StatxSize, buffer) != 0) return default;
        }
        catch (EntryPointNotFoundException)
        {
            return default;
        }
        return FromStatx(buffer);
    }

    private static FileStatus FromStatx(byte[] buffer)
    {
        int mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)) & 0xF000; // stx_mode's S_IFMT bits
        var kind = mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        long size = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(40));
        ulong device = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32
                       | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        return new FileStatus(kind, device, inode, size);
    }

    /// <summary>True when the status says which entry this is (device and inode), so two paths can be compared.</summary>
    public bool HasIdentity => Kind is not (FileKind.Unknown or FileKind.Missing);

    /// <summary>
    /// Why <paramref name="path"/> cannot be read as an image before anything opens it, or null: a name that is not
    /// valid UTF-8 (.NET cannot open it), or an entry that is not a regular file (a FIFO would block the reader
    /// forever, /dev/zero never ends), or a /proc-style file that states 0 bytes but has content.
    /// </summary>
    public static string? ReadProblem(string path)
    {
        if (path.Contains('\uFFFD'))
            return NotUtf8;
        var status = Of(path);
        if (status.KindProblem(opened: false) is { } problem) return problem;
        return status.Kind == FileKind.Regular && status.Size == 0 && HasContent(path) ? StatesZeroBytes : null;
    }

    /// <summary>Why an entry of this kind is not read as an image, or null for a regular file (or an unknown kind).</summary>
    internal string? KindProblem(bool opened)
    {
        var notOpened = opened ? "it was not read" : "it was not opened";
        return Kind switch
        {
            FileKind.Fifo => $"not a regular file (a named pipe, FIFO); {notOpened}",
            FileKind.CharacterDevice => $"not a regular file (a character device); {notOpened}",
            FileKind.BlockDevice => $"not a regular file (a block device); {notOpened}",
            FileKind.Socket => $"not a regular file (a socket); {notOpened}",
            FileKind.Directory => "a folder, not an image file",
            _ => null,
        };
    }

    /// <summary>The reason given for a /proc-style file.</summary>
    internal const string StatesZeroBytes =
        "not a regular file with a size (it states 0 bytes but has content, as /proc and /sys files do)";

    /// <summary>The reason given for a name that is not valid UTF-8.</summary>
    public const string NotUtf8 =
        "its name is not valid UTF-8, so it cannot be opened (shown with \uFFFD for the bad bytes); rename it, e.g. with convmv";

    private static bool HasContent(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return stream.ReadByte() >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
