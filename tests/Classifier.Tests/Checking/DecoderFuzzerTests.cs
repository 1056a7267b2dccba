using System.Diagnostics;
using Classifier.Core.Checking;
using Xunit.Abstractions;

namespace Classifier.Tests.Checking;

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
    public void AnUnhandledExceptionIsReported_NotSwallowed()
    {
        // The fuzzer's own bookkeeping must see failures: a decoder that throws something TryDecode does not catch
        // would show up as a failure, so a passing fuzz run means something.
        var result = DecoderFuzzer.Run(new FuzzOptions { Cases = 14, Seed = 1 });
        Assert.Empty(result.Failures);
        Assert.Equal(14, result.Cases);
    }
}
