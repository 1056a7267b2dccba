using System.Diagnostics;
using Classifier.Core.Checking;
using Classifier.Core.Diagnostics;
using Xunit.Abstractions;
using Classifier.Tests.Support;

namespace Classifier.Tests.Checking;

[Collection(AloneCollection.Name)]
public sealed class DecoderFuzzerTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedFilesOfEveryFormat_NeverEscapeTryDecode_HangOrBlowUpMemory()
    {
        // 700 cases: 50 mutations of each of the 14 seed files (PNG, JPEG, GIF, BMP, TIFF and WebP variants).
        // `classify fuzz --cases 100000` runs the same cases and more.
        var clock = Stopwatch.StartNew();
        var result = DecoderFuzzer.Run(new FuzzOptions { Cases = 700, Seed = 20261126, CaseTimeout = TimeSpan.FromSeconds(10) });

        output.WriteLine($"{result.Cases} cases in {clock.Elapsed.TotalSeconds:F1}s ({result.CasesPerSecond:F0}/s): " +
                         $"{result.Decoded} decoded, {result.Refused} refused; max growth {result.MaxPeakGrowthBytes >> 20} MiB");
        Assert.True(result.Failures.Count == 0,
            string.Join("\n", result.Failures.Select(f => $"case {f.Case} ({f.Seed}; {f.Mutation}): {f.Problem}")));
        Assert.Equal(700, result.Decoded + result.Refused);
        Assert.True(result.Refused > 100, "most mutations should be refused");
        Assert.True(result.Decoded > 10, "some mutations (in pixel data) still decode");
    }

    [Fact]
    public void TheSameSeedAndCase_GiveTheSameMutation()
    {
        var seed = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var first = DecoderFuzzer.Mutate(seed, new Random(42));
        var second = DecoderFuzzer.Mutate(seed, new Random(42));
        Assert.Equal(first.Bytes, second.Bytes);
        Assert.Equal(first.Mutation, second.Mutation);
        Assert.NotEqual(seed, first.Bytes);
    }

    [Fact]
    public void TheHarness_ReportsEscapedExceptionsHangsAndMemoryBlowUps()
    {
        // A passing fuzz run means something only if the harness sees failures: feed it decoders that fail each way.
        // The time limit is generous: on a machine under load (CI, a load average of 20-25 here) filling the memory
        // case's 160 MB took over 1.5 s and was reported as a hang; the hang case still waits the limit out.
        var options = new FuzzOptions { Cases = 6, Seed = 3, CaseTimeout = TimeSpan.FromSeconds(8), MemoryLimitBytes = 64L << 20 };
        int calls = 0;
        var release = new ManualResetEventSlim(); // not disposed: the abandoned "hung" case may still be waking on it
        var result = DecoderFuzzer.Run(options, input =>
        {
            switch (Interlocked.Increment(ref calls))
            {
                case 1: throw new NullReferenceException("decoder bug");
                case 2: release.Wait(); return false;
                case 3:
                    var big = GC.AllocateUninitializedArray<byte>(160 << 20);
                    Array.Fill(big, (byte)1); // touch every page so it is resident
                    return big[^1] == 1;
                default: return input.Length > 0;
            }
        }, onCase: null, CancellationToken.None);
        release.Set();

        Assert.Equal(6, result.Cases);
        Assert.Contains("unhandled System.NullReferenceException: decoder bug", result.Failures[0].Problem);
        Assert.Equal(0, result.Failures[0].Case);
        Assert.StartsWith("hang", result.Failures[1].Problem);
        if (ProcessMemory.IsAvailable)
        {
            Assert.StartsWith("memory", result.Failures[2].Problem);
            Assert.Equal(3, result.Failures.Count);
        }
        Assert.All(result.Failures, f => Assert.NotEmpty(f.Input));
    }
}
