namespace Classifier.Core.Torch;

/// <summary>The arithmetic a network runs in (<c>--precision</c>).</summary>
public enum Precision
{
    /// <summary>
    /// <see cref="Bf16"/> for the zoo's networks where the CPU computes bfloat16 natively (AVX512_BF16 or AMX),
    /// <see cref="Fp32"/> elsewhere and for the seed CNN (<see cref="MixedPrecision.Resolve"/>).
    /// </summary>
    Auto,

    /// <summary>Single precision throughout: libtorch's default, bit for bit what classify always computed.</summary>
    Fp32,

    /// <summary>
    /// Mixed precision as <c>torch.autocast("cpu", dtype=torch.bfloat16)</c> does it: convolutions and matrix products
    /// in bfloat16; weights, gradients, optimizer state, loss and batch-norm statistics in fp32, and the network's
    /// logits returned in fp32. Model files and exports hold fp32 weights either way.
    /// </summary>
    Bf16,
}
