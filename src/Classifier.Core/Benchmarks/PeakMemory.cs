using System.Diagnostics;

namespace Classifier.Core.Benchmarks;

/// <summary>The process's peak resident memory (VmHWM on Linux, which counts native libtorch memory too).</summary>
public static class PeakMemory
{
    /// <summary>Peak resident bytes so far.</summary>
    public static long Bytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
