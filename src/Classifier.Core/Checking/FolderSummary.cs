namespace Classifier.Core.Checking;

/// <summary>One data folder after the check (the training data, or the validation data): its classes with their counts of files and readable images.</summary>
/// <param name="Name"><c>train</c>, <c>val</c>, or <c>data</c> when there is no separate validation folder.</param>
/// <param name="Root">Full path of the folder.</param>
/// <param name="Classes">Class folders in ordinal order (the class indices training would use), empty ones included.</param>
/// <param name="Ignored">Entries training ignores.</param>
public sealed record FolderSummary(string Name, string Root, IReadOnlyList<ClassSummary> Classes, IReadOnlyList<IgnoredFile> Ignored);
