namespace Classifier.Core.Data;

/// <summary>
/// Decoded uint8 pixels kept between epochs, indexed by image position in its dataset. Fills first-come until
/// the shared byte budget is spent and then stops adding (no eviction: a stable set of cached images costs
/// nothing per step). Thread-safe for distinct indices, which is how the batch loader uses it.
/// </summary>
public sealed class PixelCache
{
    private readonly byte[]?[] _slots;
    private readonly CacheBudget _budget;

    /// <summary>A cache for <paramref name="imageCount"/> images drawing on <paramref name="budget"/>.</summary>
    public PixelCache(int imageCount, CacheBudget budget)
    {
        _slots = new byte[imageCount][];
        _budget = budget;
    }

    /// <summary>The cached pixels of image <paramref name="index"/>, or null.</summary>
    public byte[]? Get(int index) => Volatile.Read(ref _slots[index]);

    /// <summary>Keeps a copy of <paramref name="pixels"/> for image <paramref name="index"/> if the budget allows.</summary>
    public void TryAdd(int index, ReadOnlySpan<byte> pixels)
    {
        if (Volatile.Read(ref _slots[index]) is not null || !_budget.TryReserve(pixels.Length)) return;
        Volatile.Write(ref _slots[index], pixels.ToArray());
    }
}
