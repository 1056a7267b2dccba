using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace Classifier.Core.Data;

/// <summary>
/// What a failure to read an image means to the user: which exceptions are the file's fault (skipped and named, never
/// fatal) rather than a bug, and the one-line reason printed for them.
/// </summary>
internal static class DecodeFailure
{
    /// <summary>The reason given for a file whose content is not one of the supported formats.</summary>
    public const string NotAnImage = "not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF, WebP)";

    /// <summary>
    /// True for the exceptions that mean "this file's content cannot be decoded": ImageSharp's own format and memory
    /// errors, I/O and permission errors, bad compressed data, the argument, index and state errors its decoders raise
    /// on hostile headers, and any other runtime error (null reference, division by zero, overflow) thrown from inside
    /// ImageSharp's own code, which the fuzzer found its 2.1 decoders raise on damaged BMP, JPEG and WebP files.
    /// A null reference or division by zero thrown from our own code is a bug and is not caught.
    /// </summary>
    public static bool IsFileProblem(Exception e) =>
        e is ImageFormatException or IOException or UnauthorizedAccessException or InvalidMemoryOperationException
            or InvalidDataException or NotSupportedException or ArgumentException or IndexOutOfRangeException
            or InvalidOperationException or DecodeTimeoutException
        || (e is SystemException && e.TargetSite?.DeclaringType?.Assembly == typeof(Image).Assembly);

    /// <summary>A one-line reason for a failure <see cref="IsFileProblem"/> accepts.</summary>
    public static string Describe(Exception e) => e switch
    {
        UnknownImageFormatException => NotAnImage,
        DecodeTimeoutException => e.Message,
        InvalidImageContentException { InnerException: InvalidMemoryOperationException inner } =>
            $"image needs more memory than the decoding limit ({FirstLine(inner.Message)})",
        EndOfStreamException => $"corrupt or truncated image (the file ends early: {FirstLine(e.Message)})",
        InvalidImageContentException or ImageFormatException => $"corrupt or truncated image ({FirstLine(e.Message)})",
        InvalidMemoryOperationException => $"image needs more memory than the decoding limit ({FirstLine(e.Message)})",
        UnauthorizedAccessException => "permission denied",
        InvalidDataException => $"corrupt compressed data ({FirstLine(e.Message)})",
        IOException => $"cannot read file ({FirstLine(e.Message)})",
        _ => $"corrupt image: the decoder failed ({e.GetType().Name}: {FirstLine(e.Message)})",
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 160 ? line[..160] + "..." : line;
    }
}
