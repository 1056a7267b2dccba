namespace Classifier.Core.Checking;

/// <summary>A class folder and what was found in it.</summary>
/// <param name="Name">Class name (the folder name).</param>
/// <param name="Files">Image files found (by extension).</param>
/// <param name="Readable">Of those, the files that decode.</param>
public sealed record ClassSummary(string Name, int Files, int Readable);
