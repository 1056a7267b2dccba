using System.Runtime.CompilerServices;
using Classifier.Core.Torch;
using Classifier.Tests.Support;

namespace Classifier.Tests.Torch;

[Collection(AloneCollection.Name)]
public sealed class FinalizerPacingTests
{
    [Fact]
    public void AfterBatch_OnceTheIntervalHasPassed_RunsTheFinalizersOfDroppedObjects()
    {
        var pacing = new FinalizerPacing();
        var finalized = new StrongBox<bool>();
        Thread.Sleep(FinalizerPacing.Interval + TimeSpan.FromMilliseconds(100));

        DropFinalizable(finalized);
        pacing.AfterBatch();

        // The collection and the wait for finalizers happen inside AfterBatch: the flag is set when it returns.
        Assert.True(finalized.Value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFinalizable(StrongBox<bool> flag) => _ = new Finalizable(flag);

    private sealed class Finalizable(StrongBox<bool> flag)
    {
        ~Finalizable() => flag.Value = true;
    }
}
