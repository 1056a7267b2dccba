using System.Diagnostics;
using System.Globalization;

namespace Classifier.Core.Diagnostics;

/// <summary>
/// This process's resident memory, native libtorch memory included: on Linux from <c>/proc/self/status</c> (VmRSS,
/// and VmHWM as the peak), with a resettable peak (writing 5 to <c>/proc/self/clear_refs</c>) so that a measurement
/// can cover one operation; elsewhere from <see cref="Process"/> (whose peak cannot be reset).
/// </summary>
public static class ProcessMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>True when the peak can be reset (Linux).</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && File.Exists(ClearRefs) && TryReset();

    /// <summary>Resident memory now, in bytes.</summary>
    public static long CurrentBytes => Read("VmRSS:") ?? WithProcess(p => p.WorkingSet64);

    /// <summary>The most resident memory since the last <see cref="ResetPeak"/> (or process start), in bytes.</summary>
    public static long PeakBytes => Read("VmHWM:") ?? WithProcess(p => p.PeakWorkingSet64);

    /// <summary>Sets the peak to the current resident memory, where that is possible (see <see cref="IsAvailable"/>).</summary>
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

    /// <summary>A "VmHWM:	  123456 kB" line's value in bytes; null where /proc cannot be read.</summary>
    private static long? Read(string field)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                var kilobytes = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static long WithProcess(Func<Process, long> value)
    {
        using var self = Process.GetCurrentProcess();
        return value(self);
    }
}
