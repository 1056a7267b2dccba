namespace Classifier.Core.Torch;

/// <summary>
/// Runs, between batches, the finalizers of the TorchSharp objects that no dispose scope owns (small native objects
/// TorchSharp and its torchvision modules create on their own during a forward or backward pass). Each holds a few
/// bytes of glibc's heap until the garbage collector finalizes it, and a training step allocates so little managed
/// memory that no collection comes for minutes: meanwhile those bytes sit between the step's freed blocks, which then
/// cannot merge, so the heap grows step after step (docs/performance.md gives the measurements).
/// Collecting the young generations (0 and 1, where a step's objects are) is cheap; it runs at most every
/// <see cref="Interval"/>, so small fast batches do not pay for it.
/// </summary>
public sealed class FinalizerPacing
{
    /// <summary>The least time between two collections.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.5);

    private readonly TimeProvider _time;
    private long _last;

    /// <summary>Starts the interval now, on <paramref name="time"/> (the system clock when null).</summary>
    public FinalizerPacing(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _last = _time.GetTimestamp();
    }

    /// <summary>
    /// Call after a batch's dispose scope has ended: collects and finalizes if <see cref="Interval"/> has passed.
    /// Returns whether it did.
    /// </summary>
    public bool AfterBatch()
    {
        if (_time.GetElapsedTime(_last) < Interval) return false;
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        _last = _time.GetTimestamp();
        return true;
    }
}
