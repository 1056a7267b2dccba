namespace Classifier.Core.Torch;

/// <summary>
/// The instruction-set cap oneDNN reads from the environment when libtorch first uses it (<c>ONEDNN_MAX_CPU_ISA</c>, or
/// the older <c>DNNL_MAX_CPU_ISA</c>), set by the user or by <see cref="OneDnnSafety"/>. Below <c>AVX512_CORE_BF16</c>
/// oneDNN has no bfloat16 instructions, so bf16 is emulated and several times slower than fp32 even on a CPU that has
/// AVX512_BF16 (measured: resnet18 at 224 px under <c>SSE41</c>, bf16 4x slower than fp32).
/// </summary>
public static class OneDnnIsa
{
    /// <summary>The variable oneDNN reads first.</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The name oneDNN read before it was renamed, still honoured when <see cref="Variable"/> is not set.</summary>
    public const string LegacyVariable = "DNNL_MAX_CPU_ISA";

    // The caps oneDNN documents that leave out AVX512_CORE_BF16 (its ISAs are partially ordered: SSE41 < AVX < AVX2 <
    // AVX2_VNNI < AVX2_VNNI_2 and AVX2 < AVX512_CORE < AVX512_CORE_VNNI < AVX512_CORE_BF16 < AVX10_1_512 < ...).
    private static readonly HashSet<string> BelowBf16 =
        ["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI"];

    /// <summary>The cap as oneDNN will read it (upper-cased: oneDNN ignores the case), or null when none is set.</summary>
    public static string? Cap => Read()?.Value;

    /// <summary>The cap as the user would write it, <c>ONEDNN_MAX_CPU_ISA=SSE41</c>, for messages; null when none is set.</summary>
    public static string? Setting => Read() is { } cap ? $"{cap.Name}={cap.Value}" : null;

    /// <summary>Whether either variable is in the environment at all (even empty): then classify sets no cap of its own.</summary>
    public static bool IsSet =>
        Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable(LegacyVariable) is not null;

    /// <summary>Whether <see cref="Cap"/> keeps oneDNN from bfloat16 instructions in this process.</summary>
    public static bool ExcludesBf16 => CapExcludesBf16(Cap);

    /// <summary>
    /// Whether the cap <paramref name="cap"/> leaves out <c>AVX512_CORE_BF16</c>. Null, <c>DEFAULT</c>, <c>ALL</c>, the
    /// bf16 and AMX levels and values oneDNN does not know (it ignores those) do not.
    /// </summary>
    public static bool CapExcludesBf16(string? cap) => Normalize(cap) is { } value && BelowBf16.Contains(value);

    // oneDNN reads the first of the two names that is set and not empty.
    private static (string Name, string Value)? Read() =>
        Normalize(Environment.GetEnvironmentVariable(Variable)) is { } value ? (Variable, value)
        : Normalize(Environment.GetEnvironmentVariable(LegacyVariable)) is { } legacy ? (LegacyVariable, legacy)
        : null;

    private static string? Normalize(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToUpperInvariant();
}
