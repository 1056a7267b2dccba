namespace Classifier.Core.Checking;

/// <summary>The result of <c>classify check</c>.</summary>
/// <param name="Folders">The folders checked, training data first.</param>
/// <param name="Findings">Errors first, then warnings; each group by kind and path.</param>
/// <param name="ColourModes">Number of readable images per colour mode (format, colour type, bit depth).</param>
/// <param name="Orientations">Number of images per EXIF orientation ("none" when the file has no orientation tag).</param>
/// <param name="Files">Image files inspected.</param>
/// <param name="Seconds">Wall time of the check.</param>
public sealed record CheckReport(
    IReadOnlyList<FolderSummary> Folders,
    IReadOnlyList<CheckFinding> Findings,
    IReadOnlyDictionary<string, int> ColourModes,
    IReadOnlyDictionary<string, int> Orientations,
    int Files,
    double Seconds)
{
    /// <summary>Number of error findings.</summary>
    public int Errors => Findings.Count(f => f.Severity == Severity.Error);

    /// <summary>Number of warning findings.</summary>
    public int Warnings => Findings.Count(f => f.Severity == Severity.Warning);

    /// <summary>True when there is no error (warnings allowed).</summary>
    public bool IsClean => Errors == 0;
}
