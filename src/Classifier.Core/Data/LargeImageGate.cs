using System.Buffers.Binary;

namespace Classifier.Core.Data;

/// <summary>
/// Lets at most one large image be decoded at a time in the whole process. Decoding holds the full-size pixels
/// (3 to 8 bytes per pixel, with the inflated rows) before they are resized to the network's input, so a 9400x9400
/// PNG takes about 0.7 GB while it is decoded; several decoder threads meeting a folder of such files would hold
/// that many times over. Small images (the usual case) never wait, nor do plain PNGs, which
/// <see cref="LargePng"/> decodes a few rows at a time. Process-wide by nature, like the array pool.
/// </summary>
internal static class LargeImageGate
{
    /// <summary>Images with more pixels than this (about 64 MB of RGBA) are decoded one at a time.</summary>
    public const long LargePixels = 16_000_000;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int _waiting;

    /// <summary>Decodes waiting for the gate now.</summary>
    public static int Waiting => Volatile.Read(ref _waiting);

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Waits for the gate when <paramref name="pixels"/> is large; dispose the result when the decode is done. A wait
    /// ends with <see cref="OperationCanceledException"/> when <paramref name="cancellation"/> is cancelled (Ctrl+C need
    /// not wait for another thread's large decode).
    /// </summary>
    public static IDisposable? Enter(long pixels, CancellationToken cancellation = default)
    {
        if (pixels <= LargePixels) return null;
        Interlocked.Increment(ref _waiting);
        try
        {
            Gate.Wait(cancellation);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return new Release();
    }

    /// <summary>Width x height from a PNG's IHDR chunk, or 0 when <paramref name="file"/> is not a PNG.</summary>
    public static long PngPixels(ReadOnlySpan<byte> file)
    {
        if (file.Length < 24 || !file[..8].SequenceEqual(PngSignature) || !file[12..16].SequenceEqual("IHDR"u8)) return 0;
        return (long)BinaryPrimitives.ReadUInt32BigEndian(file[16..]) * BinaryPrimitives.ReadUInt32BigEndian(file[20..]);
    }

    private sealed class Release : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Gate.Release();
        }
    }
}
