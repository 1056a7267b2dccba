namespace Classifier.Core.Data;

/// <summary>The image file extensions that are read (the same set as Keras' <c>flow_from_directory</c>, plus webp).</summary>
public static class ImageFormats
{
    /// <summary>Extensions with their dot, compared case-insensitively.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(
        [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the file name has one of the image extensions.</summary>
    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>True for names that start with a dot (hidden on Unix, and how macOS and editors mark their files).</summary>
    public static bool IsHidden(string name) => name.StartsWith('.');
}
