namespace Classifier.Core.Runs;

/// <summary>The disk space a folder's files take (what a user sees as a run's cost on disk).</summary>
public static class FolderSize
{
    /// <summary>Total length in bytes of the files under <paramref name="path"/>, sub-folders included; 0 if it does not exist.</summary>
    public static long Bytes(string path)
    {
        if (!Directory.Exists(path)) return 0;
        long total = 0;
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Removed while being counted (a temporary file being renamed): it no longer takes space.
            }
        }
        return total;
    }
}
