namespace Classifier.Core.Data;

/// <summary>The image file extensions that are read (the same set as Keras' <c>flow_from_directory</c>, plus webp).</summary>
public static class ImageFormats
{
    /// <summary>Each extension (with its dot, any case) and the format it promises.</summary>
    private static readonly Dictionary<string, string> FormatByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "JPEG", [".jpeg"] = "JPEG", [".png"] = "PNG", [".bmp"] = "BMP", [".gif"] = "GIF",
        [".tif"] = "TIFF", [".tiff"] = "TIFF", [".webp"] = "WEBP",
    };

    /// <summary>Extensions with their dot, compared case-insensitively.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(FormatByExtension.Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the file name has one of the image extensions.</summary>
    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>The format an extension promises (PNG, JPEG, ...), or null for an extension that is not an image's.</summary>
    public static string? FormatOf(string path) =>
        FormatByExtension.TryGetValue(Path.GetExtension(path), out var format) ? format : null;

    /// <summary>True for names that start with a dot (hidden on Unix, and how macOS and editors mark their files).</summary>
    public static bool IsHidden(string name) => name.StartsWith('.');
}
