namespace Classifier.Core.Checking;

/// <summary>What a fuzz run found.</summary>
/// <param name="Cases">Cases run.</param>
/// <param name="Decoded">Cases whose mutated file still decoded.</param>
/// <param name="Refused">Cases refused with a reason (the expected outcome for most).</param>
/// <param name="Failures">Unhandled exceptions, hangs and memory blow-ups.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="MaxPeakGrowthBytes">Largest growth of resident memory during one case (0 where it cannot be measured).</param>
public sealed record FuzzResult(int Cases, int Decoded, int Refused, IReadOnlyList<FuzzFailure> Failures, double Seconds,
    long MaxPeakGrowthBytes)
{
    /// <summary>Cases per second.</summary>
    public double CasesPerSecond => Cases / Math.Max(Seconds, 1e-9);
}
