using System.Diagnostics;
using Classifier.Core.Torch;

namespace Classifier.Core.Benchmarks;

/// <summary>A throughput and the process CPU time (all threads) it cost per image.</summary>
internal readonly record struct Rate(double PerSecond, double CpuMicroseconds)
{
    public static Rate Of(long images, CpuClock clock) =>
        new(images / clock.Seconds, clock.CpuSeconds * 1e6 / Math.Max(1, images));
}

/// <summary>Wall-clock and process CPU time since it was started.</summary>
internal sealed class CpuClock
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;

    public double Seconds => _wall.Elapsed.TotalSeconds;

    public double CpuSeconds => (Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalSeconds;
}

/// <summary>How the benchmark times its steps: repeated calls after a warm-up, and interleaved rounds for comparisons.</summary>
internal static class Measurement
{
    /// <summary>
    /// Medians of three alternating rounds of <paramref name="a"/> and <paramref name="b"/> (A B A B A B), so that
    /// warm-up (JIT tiers, libtorch's thread pool, CPU clocks) and a noisy neighbour do not favour whichever runs later.
    /// </summary>
    public static (double A, double B) Interleaved(double seconds, Func<double, double> a, Func<double, double> b)
    {
        var first = new List<double>();
        var second = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            first.Add(a(seconds / 3));
            second.Add(b(seconds / 3));
        }
        return (Median(first), Median(second));
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>
    /// Calls of <paramref name="step"/> per second over at least <paramref name="seconds"/> and 3 calls, after a
    /// warm-up of at least two calls and half a second, with the process CPU time per call.
    /// </summary>
    public static Rate Repeat(double seconds, Action step)
    {
        var pacing = new FinalizerPacing(); // as the trainer and the evaluator run between batches
        var warmUp = Stopwatch.StartNew();
        for (int warmUpCalls = 0; warmUpCalls < 2 || warmUp.Elapsed.TotalSeconds < 0.5; warmUpCalls++)
        {
            step();
            pacing.AfterBatch();
        }
        var clock = new CpuClock();
        int calls = 0;
        while (calls < 3 || clock.Seconds < seconds)
        {
            step();
            pacing.AfterBatch();
            calls++;
        }
        return Rate.Of(calls, clock);
    }
}
