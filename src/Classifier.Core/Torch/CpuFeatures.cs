using System.Runtime.Intrinsics.X86;

namespace Classifier.Core.Torch;

/// <summary>What the CPU offers for bfloat16 arithmetic, read with CPUID (no native library needed).</summary>
public static class CpuFeatures
{
    /// <summary>AVX512_BF16 (AMD Zen 4 and later, Intel Cooper Lake, Sapphire Rapids): CPUID leaf 7 subleaf 1, EAX bit 5.</summary>
    public static bool Avx512Bf16 { get; } = Avx512F.IsSupported && Bit(7, 1, Register.Eax, 5);

    /// <summary>AMX-BF16 tile instructions (Intel Sapphire Rapids and later): CPUID leaf 7 subleaf 0, EDX bit 22.</summary>
    public static bool AmxBf16 { get; } = X86Base.IsSupported && Bit(7, 0, Register.Edx, 22);

    /// <summary>Whether the CPU has bfloat16 instructions (<see cref="Avx512Bf16"/> or <see cref="AmxBf16"/>).</summary>
    public static bool HasBf16 => Avx512Bf16 || AmxBf16;

    /// <summary>
    /// Whether this process computes bfloat16 natively, so that oneDNN's bf16 kernels beat its fp32 ones: the CPU has
    /// the instructions (<see cref="HasBf16"/>) and oneDNN is not capped below them (<see cref="OneDnnIsa"/>).
    /// </summary>
    public static bool NativeBf16 => HasBf16 && !OneDnnIsa.ExcludesBf16;

    /// <summary>The CPU's vector and bfloat16 features in /proc/cpuinfo's spelling, for run records and the benchmark.</summary>
    public static string Summary
    {
        get
        {
            var flags = new List<string>();
            if (Avx2.IsSupported) flags.Add("avx2");
            if (Avx512F.IsSupported) flags.Add("avx512f");
            if (Avx512Bf16) flags.Add("avx512_bf16");
            if (AmxBf16) flags.Add("amx_bf16");
            return flags.Count == 0 ? "no avx2" : string.Join(" ", flags);
        }
    }

    private enum Register { Eax, Edx }

    private static bool Bit(int leaf, int subleaf, Register register, int bit)
    {
        if (!X86Base.IsSupported) return false;
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < leaf) return false;
        var (eax, _, _, edx) = X86Base.CpuId(leaf, subleaf);
        if (leaf == 7 && subleaf > 0 && X86Base.CpuId(7, 0).Eax < subleaf) return false;   // subleaf not reported
        int value = register == Register.Eax ? eax : edx;
        return (value >> bit & 1) == 1;
    }
}
