using Classifier.Core.Torch;

namespace Classifier.Tests.Support;

/// <summary>
/// A fact about bfloat16 speed or accuracy figures that holds where the CPU computes bf16 natively (AVX512_BF16 or
/// AMX, and oneDNN not capped below them); elsewhere bf16 is emulated and too slow for the test suite, and the test is
/// skipped, saying so.
/// </summary>
public sealed class NativeBf16FactAttribute : FactAttribute
{
    public NativeBf16FactAttribute()
    {
        if (!CpuFeatures.NativeBf16)
            Skip = $"bf16 would be emulated here, slowly ({MixedPrecision.WhyNotNative}; CPU: {CpuFeatures.Summary}); the fp32 path is what runs here.";
    }
}
