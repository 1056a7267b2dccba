namespace Classifier.Core.Data;

/// <summary>A byte budget shared by the pixel caches of a run (training and validation draw on the same one).</summary>
public sealed class CacheBudget
{
    private long _remaining;

    /// <summary>A budget of <paramref name="bytes"/>.</summary>
    public CacheBudget(long bytes)
    {
        Bytes = bytes;
        _remaining = bytes;
    }

    /// <summary>The total budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Bytes reserved so far.</summary>
    public long UsedBytes => Bytes - Interlocked.Read(ref _remaining);

    /// <summary>Reserves <paramref name="bytes"/>; false (and nothing reserved) when that would exceed the budget.</summary>
    public bool TryReserve(long bytes)
    {
        while (true)
        {
            long remaining = Interlocked.Read(ref _remaining);
            if (remaining < bytes) return false;
            if (Interlocked.CompareExchange(ref _remaining, remaining - bytes, remaining) == remaining) return true;
        }
    }

    /// <summary>
    /// The budget for <paramref name="mode"/>: none for <see cref="CacheMode.None"/>; the user's figure for
    /// <see cref="CacheMode.Ram"/>; for <see cref="CacheMode.Auto"/> a quarter of the memory available to this
    /// process, at most 8 GiB, so the rest of the machine and libtorch keep room.
    /// </summary>
    public static CacheBudget For(CacheMode mode, long? userBytes = null)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return mode switch
        {
            CacheMode.None => new CacheBudget(0),
            CacheMode.Ram => new CacheBudget(userBytes ?? available / 2),
            _ => new CacheBudget(userBytes ?? Math.Min(available / 4, 8L << 30)),
        };
    }
}
