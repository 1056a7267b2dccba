namespace Classifier.Core.Checking;

/// <summary>A file or folder that training ignores (hidden, system or non-image files), with why.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Reason">Why it is ignored.</param>
public sealed record IgnoredFile(string Path, string Reason);
