using System.Buffers.Binary;
using System.Diagnostics;
using Classifier.Core.Data;
using Classifier.Core.Diagnostics;

namespace Classifier.Core.Checking;

/// <summary>
/// Feeds <see cref="ImageDecoder"/> seeded mutations of valid PNG, JPEG, GIF, BMP, TIFF and WebP files (byte flips,
/// truncations, header overwrites with extreme integers, spliced and zeroed runs) and records every case that ends in
/// an exception <see cref="ImageDecoder.TryDecode(string, Span{byte}, out string?, CancellationToken)"/> lets escape, does not finish in
/// time, or makes resident memory jump. Case N of a seed is always the same input, so a failure can be replayed.
/// </summary>
public static class DecoderFuzzer
{
    private static readonly int[] ExtremeIntegers = [0, 1, -1, int.MaxValue, int.MinValue, 0x7FFF, 0xFFFF, 0x10000, 60000, unchecked((int)0xFFFE0001)];

    /// <summary>Runs the cases one after another; <paramref name="onCase"/> is told each finished case number.</summary>
    public static FuzzResult Run(FuzzOptions options, Action<int>? onCase = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var decoder = new ImageDecoder(new Preprocessing(16, Interpolation.Nearest, 1f / 255), options.MaxPixels);
        return Run(options, input =>
        {
            var pixels = new byte[decoder.Preprocessing.PixelBytes];
            using var stream = new MemoryStream(input, writable: false);
            return decoder.TryDecode(stream, pixels, out _);
        }, onCase, cancellation);
    }

    /// <summary>The harness with the decoding step given, so tests can check that it catches what it should.</summary>
    internal static FuzzResult Run(FuzzOptions options, Func<byte[], bool> tryDecode, Action<int>? onCase,
        CancellationToken cancellation)
    {
        var seeds = FuzzCorpus.Create();
        var failures = new List<FuzzFailure>();
        int decoded = 0, refused = 0;
        long maxGrowth = 0;
        var clock = Stopwatch.StartNew();
        for (int n = options.FirstCase; n < options.FirstCase + options.Cases; n++)
        {
            cancellation.ThrowIfCancellationRequested();
            var (seedName, seedBytes) = seeds[n % seeds.Count];
            var (input, mutation) = Mutate(seedBytes, new Random(unchecked(options.Seed * 1_000_003 + n)));

            ProcessMemory.ResetPeak();
            long before = ProcessMemory.CurrentBytes;
            var task = Task.Run(() => tryDecode(input), CancellationToken.None);
            string? problem = null;
            // Waiting on the handle, not Task.Wait, so a faulted case is inspected below rather than thrown here.
            if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(options.CaseTimeout))
                problem = $"hang: still decoding after {options.CaseTimeout.TotalSeconds:F0}s";
            else if (task.IsFaulted)
            {
                var e = task.Exception!.InnerException!;
                problem = $"unhandled {e.GetType().FullName}: {e.Message.Split('\n')[0]} at {FirstFrame(e)}";
            }
            else if (task.Result) decoded++;
            else refused++;

            long growth = ProcessMemory.IsAvailable ? Math.Max(0, ProcessMemory.PeakBytes - before) : 0;
            maxGrowth = Math.Max(maxGrowth, growth);
            if (problem is null && growth > options.MemoryLimitBytes)
                problem = $"memory: resident memory grew {growth >> 20} MiB";
            if (problem is not null) failures.Add(new FuzzFailure(n, seedName, mutation, problem, input));
            onCase?.Invoke(n);
        }
        return new FuzzResult(options.Cases, decoded, refused, failures, clock.Elapsed.TotalSeconds, maxGrowth);
    }

    /// <summary>One to three mutations of <paramref name="seed"/>, described in words.</summary>
    internal static (byte[] Bytes, string Mutation) Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        var steps = new List<string>();
        int count = random.Next(1, 4);
        for (int s = 0; s < count && bytes.Length > 0; s++)
        {
            switch (random.Next(6))
            {
                case 0:
                {
                    int flips = random.Next(1, 9);
                    for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                    steps.Add($"flip {flips} byte(s)");
                    break;
                }
                case 1:
                {
                    int length = random.Next(bytes.Length);
                    bytes = bytes[..length];
                    steps.Add($"truncate to {length}");
                    break;
                }
                case 2:
                {
                    // Headers hold the sizes, counts and offsets decoders trust most.
                    int offset = random.Next(Math.Min(bytes.Length, 64));
                    int length = Math.Min(random.Next(1, 5), bytes.Length - offset);
                    for (int i = 0; i < length; i++) bytes[offset + i] = (byte)(random.Next(2) == 0 ? 0xFF : random.Next(256));
                    steps.Add($"overwrite {length} header byte(s) at {offset}");
                    break;
                }
                case 3:
                {
                    if (bytes.Length < 4) break;
                    int offset = random.Next(Math.Min(bytes.Length - 3, 160));
                    int value = ExtremeIntegers[random.Next(ExtremeIntegers.Length)];
                    bool bigEndian = random.Next(2) == 0;
                    if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(offset), value);
                    else BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
                    steps.Add($"write {value} ({(bigEndian ? "BE" : "LE")}) at {offset}");
                    break;
                }
                case 4:
                {
                    int from = random.Next(bytes.Length);
                    int length = random.Next(1, Math.Min(64, bytes.Length - from) + 1);
                    int at = random.Next(bytes.Length);
                    bytes = [.. bytes[..at], .. bytes.AsSpan(from, length), .. bytes[at..]];
                    steps.Add($"copy {length} byte(s) from {from} to {at}");
                    break;
                }
                default:
                {
                    int at = random.Next(bytes.Length);
                    int length = Math.Min(random.Next(1, 33), bytes.Length - at);
                    bytes.AsSpan(at, length).Clear();
                    steps.Add($"zero {length} byte(s) at {at}");
                    break;
                }
            }
        }
        return (bytes, string.Join(", ", steps));
    }

    private static string FirstFrame(Exception e) =>
        e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "(no stack)";
}
