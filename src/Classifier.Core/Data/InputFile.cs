namespace Classifier.Core.Data;

/// <summary>
/// Opens an input file that is not an image (a model file, <c>--weights</c>, <c>--config</c>, a shard's metrics.json)
/// only when it is a regular file, as images are (see <see cref="RegularFile"/>): a named pipe given as <c>--model</c>
/// would block the open forever, a device would never end.
/// </summary>
public static class InputFile
{
    /// <summary>
    /// <paramref name="path"/> open for reading, or a <see cref="ClassifierException"/> that names it as
    /// <paramref name="shown"/> (e.g. <c>--weights 'x.pth'</c>) when it is not a regular file.
    /// </summary>
    public static FileStream OpenRead(string path, string shown)
    {
        if (!RegularFile.TryOpen(path, out var handle, out var problem))
            throw new ClassifierException($"{shown} is {Described(problem)}; give a regular file.");
        return new FileStream(handle, FileAccess.Read, 1 << 16);
    }

    /// <summary>The whole of <paramref name="path"/>, opened as <see cref="OpenRead"/> does.</summary>
    public static byte[] ReadAllBytes(string path, string shown)
    {
        using var stream = OpenRead(path, shown);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The whole of <paramref name="path"/> as UTF-8 text, opened as <see cref="OpenRead"/> does.</summary>
    public static string ReadAllText(string path, string shown)
    {
        using var reader = new StreamReader(OpenRead(path, shown));
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The SHA-256 of <paramref name="path"/>'s bytes in lowercase hex, opened as <see cref="OpenRead"/> does; a read
    /// error is a <see cref="ClassifierException"/> naming it as <paramref name="shown"/>.
    /// </summary>
    public static string Sha256(string path, string shown)
    {
        try
        {
            using var stream = OpenRead(path, shown);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"{shown} could not be read: {e.Message}", e);
        }
    }

    private static string Described(string problem) =>
        problem.StartsWith("not ", StringComparison.Ordinal) || problem.StartsWith("a ", StringComparison.Ordinal) ? problem : $"unusable ({problem})";
}
