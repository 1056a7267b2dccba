namespace Classifier.Core.Checking;

/// <summary>One image file and where it belongs: the checked folder's name (train, val, data) and its class.</summary>
internal sealed record FileEntry(string Folder, string Class, string Path);
