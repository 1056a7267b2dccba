using System.Runtime.CompilerServices;
using Classifier.Core.Torch;
using Classifier.Tests.Support;

namespace Classifier.Tests.Torch;

/// <summary>
/// The pacing runs on a clock the test moves, so whether a batch collects depends on the interval alone, not on how
/// long the machine took. It stays in the alone collection: a collection forced by another test at the same moment
/// could promote the dropped object past the generations <see cref="FinalizerPacing"/> collects.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class FinalizerPacingTests
{
    [Fact]
    public void AfterBatch_BeforeTheInterval_DoesNotCollect()
    {
        var clock = new ManualClock();
        var pacing = new FinalizerPacing(clock);

        clock.Advance(FinalizerPacing.Interval - TimeSpan.FromMilliseconds(1));

        Assert.False(pacing.AfterBatch());
    }

    [Fact]
    public void AfterBatch_OnceTheIntervalHasPassed_RunsTheFinalizersOfDroppedObjects_AndStartsANewInterval()
    {
        var clock = new ManualClock();
        var pacing = new FinalizerPacing(clock);
        var finalized = new StrongBox<bool>();
        clock.Advance(FinalizerPacing.Interval);

        DropFinalizable(finalized);
        bool collected = pacing.AfterBatch();

        // The collection and the wait for finalizers happen inside AfterBatch: the flag is set when it returns.
        Assert.True(collected);
        Assert.True(finalized.Value);
        Assert.False(pacing.AfterBatch());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFinalizable(StrongBox<bool> flag) => _ = new Finalizable(flag);

    private sealed class Finalizable(StrongBox<bool> flag)
    {
        ~Finalizable() => flag.Value = true;
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
