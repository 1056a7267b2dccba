namespace Classifier.Core.Checking;

/// <summary>
/// This process's resident memory on Linux, from <c>/proc/self/status</c>, with a resettable high-water mark
/// (writing 5 to <c>/proc/self/clear_refs</c>), so a test can measure the peak of one operation. Elsewhere
/// <see cref="IsAvailable"/> is false and the values are 0.
/// </summary>
public static class ProcessMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>True when the peak can be reset and read (Linux).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && File.Exists(ClearRefs) && TryReset();

    /// <summary>Resident memory now, in bytes.</summary>
    public static long CurrentBytes => Read("VmRSS:");

    /// <summary>The most resident memory since the last <see cref="ResetPeak"/> (or process start), in bytes.</summary>
    public static long PeakBytes => Read("VmHWM:");

    /// <summary>Sets the high-water mark to the current resident memory.</summary>
    public static void ResetPeak()
    {
        if (IsAvailable) TryReset();
    }

    private static bool TryReset()
    {
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long Read(string field)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        foreach (var line in File.ReadLines(Status))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            // "VmHWM:	  123456 kB"
            var digits = line[field.Length..].Trim().Split(' ')[0];
            return long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }
}
