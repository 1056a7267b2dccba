using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Classifier.Core.Data;

/// <summary>
/// Opens a file for reading only when it is a regular file, with no gap between the check and the open: on Linux the
/// path is opened non-blocking (opening a FIFO that way returns at once instead of waiting for a writer) and the opened
/// descriptor itself is checked (<c>statx</c> on the descriptor). A file swapped for a FIFO or a device after the
/// folder was listed, or even after <see cref="FileStatus.ReadProblem"/> looked at it, is reported and never read.
/// Links are followed, as the folder walks follow them.
/// </summary>
internal static class RegularFile
{
    private const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const int ENOENT = 2, EACCES = 13, ENOTDIR = 20, ELOOP = 40;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    /// <summary>
    /// True with the open <paramref name="file"/>, or false with <paramref name="problem"/> saying why it is not read.
    /// Throws what <see cref="File.OpenHandle"/> throws when the path cannot be opened (missing, no permission).
    /// </summary>
    public static bool TryOpen(string path, [NotNullWhen(true)] out SafeFileHandle? file, [NotNullWhen(false)] out string? problem)
    {
        file = null;
        // The path is looked at first, so a FIFO or a device is normally not even opened.
        problem = FileStatus.ReadProblem(path);
        if (problem is not null) return false;
        if (!OperatingSystem.IsLinux())
        {
            file = File.OpenHandle(path);
            return true;
        }

        int descriptor = NativeOpen(path, ReadOnly | NonBlocking | CloseOnExec);
        if (descriptor < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            var message = $"{Marshal.GetPInvokeErrorMessage(errno)}: '{path}'";
            throw errno switch
            {
                ENOENT or ENOTDIR or ELOOP => new FileNotFoundException(message, path),
                EACCES => new UnauthorizedAccessException(message),
                _ => new IOException(message),
            };
        }
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        var status = FileStatus.OfDescriptor(descriptor);
        problem = status.KindProblem(opened: true);
        if (problem is null && status.Kind == FileKind.Regular && status.Size == 0)
        {
            Span<byte> one = stackalloc byte[1];
            if (RandomAccess.Read(handle, one, 0) > 0) problem = FileStatus.StatesZeroBytes;
        }
        if (problem is null)
        {
            file = handle;
            return true;
        }
        handle.Dispose();
        return false;
    }
}
