namespace Classifier.Core.Checking;

/// <summary>What <see cref="ImageInspector"/> learned about one file.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Bytes">File length.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lowercase hex; null when the file could not be read.</param>
/// <param name="Format">Format by content (PNG, JPEG, ...); null when not an image.</param>
/// <param name="Width">Stored width in pixels (before EXIF orientation); 0 when unknown.</param>
/// <param name="Height">Stored height in pixels; 0 when unknown.</param>
/// <param name="ColourMode">Format, colour type and depth, e.g. "PNG palette 8-bit".</param>
/// <param name="Orientation">EXIF orientation (1-8), or null when the file has none.</param>
/// <param name="ProblemKind">One of the file kinds of <see cref="FindingKinds"/> when the file cannot be used, else null.</param>
/// <param name="Problem">The reason, as training reports it, else null.</param>
public sealed record ImageInspection(
    string Path, long Bytes, string? Sha256, string? Format, int Width, int Height, string? ColourMode,
    ushort? Orientation, string? ProblemKind, string? Problem)
{
    /// <summary>True when training can use the file.</summary>
    public bool IsReadable => ProblemKind is null;
}
