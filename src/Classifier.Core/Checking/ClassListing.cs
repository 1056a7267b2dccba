namespace Classifier.Core.Checking;

/// <summary>A class folder as found on disk: its image files by extension.</summary>
internal sealed record ClassListing(string Name, string Path, IReadOnlyList<string> Files);
