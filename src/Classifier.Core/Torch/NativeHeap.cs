using System.Runtime.InteropServices;

namespace Classifier.Core.Torch;

/// <summary>
/// glibc heap settings for libtorch's CPU tensors. A training step at 224 px allocates and frees about 1.5 GB in
/// blocks of 40-200 MB (activations, their gradients, the dense layer's gradient). By default glibc maps each such
/// block fresh and unmaps it on free, so every step pays for faulting in and zeroing those pages again. With mmap off
/// and trimming raised, the main heap keeps the freed blocks and the next step reuses them. It applies to allocations
/// made on the process's main thread (other threads use secondary arenas, which still map blocks over 64 MB), which
/// is why the CLI runs its torch work there. Steps repeat the same allocations, so within one phase (a training epoch,
/// a validation pass) the heap stays near the step's own peak; between phases, whose buffers differ in size,
/// <see cref="ReleaseFreeMemory"/> hands the free blocks back, so the heap does not fragment into holding both.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapMax = -4;       // M_MMAP_MAX

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static bool _kept;

    /// <summary>
    /// The environment variable that chooses the heap policy at start-up: <c>keep</c> (<see cref="KeepLargeBlocks"/>)
    /// or <c>system</c> (glibc's defaults: large blocks are mapped per allocation and returned on free).
    /// </summary>
    public const string EnvironmentVariable = "CLASSIFY_HEAP";

    /// <summary>
    /// Applies the policy named by <paramref name="setting"/> (the value of <see cref="EnvironmentVariable"/>; null or
    /// empty for the default, <c>keep</c>). Throws <see cref="ClassifierException"/> for an unknown name.
    /// </summary>
    public static void Configure(string? setting)
    {
        switch (setting?.Trim().ToLowerInvariant())
        {
            case null or "" or "keep":
                KeepLargeBlocks();
                break;
            case "system":
                break;
            default:
                throw new ClassifierException($"{EnvironmentVariable}='{setting}': give keep (reuse freed memory, faster) or system (glibc's defaults).");
        }
    }

    /// <summary>Keeps large freed blocks in the main heap for reuse (glibc on Linux; elsewhere nothing happens).</summary>
    public static void KeepLargeBlocks()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(MmapMax, 0);
            Mallopt(TrimThreshold, int.MaxValue);
            _kept = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has its own policy; nothing to set.
        }
    }

    /// <summary>
    /// Returns the heap's free pages to the system (glibc's <c>malloc_trim</c>), after <see cref="KeepLargeBlocks"/>
    /// at the end of a phase whose buffers the next phase will not reuse. Does nothing otherwise.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!_kept) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }
}
