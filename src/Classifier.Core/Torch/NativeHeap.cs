using System.Runtime.InteropServices;

namespace Classifier.Core.Torch;

/// <summary>
/// The native heap policy for libtorch's CPU tensors, chosen once at start-up (<see cref="Configure"/>). A training
/// step at 224 px allocates and frees about 1.5 GB in blocks of 40-200 MB (activations, their gradients, the dense
/// layer's gradient). glibc maps each block over 32 MB fresh and unmaps it on free, so every step faults its buffers in
/// again: with 4 KiB pages that made a 224 px step about 3x slower than reusing the blocks. Two ways out:
/// <list type="bullet">
/// <item><c>system</c> (the default): glibc's own policy, so the resident memory follows the live tensors, with
/// libtorch asked to back its allocations of 2 MB or more with transparent huge pages (libtorch's
/// <c>THP_MEM_ALLOC_ENABLE</c>), so a fresh block faults in 2 MiB at a time. As fast as <c>keep</c> where the kernel
/// honours <c>madvise</c> huge pages (the default on Debian and most distributions).</item>
/// <item><c>keep</c>: mmap off and trimming raised, so the main heap keeps the freed blocks and the next step reuses
/// them. Fast on any kernel, but the heap's high-water mark sits above the live data (blocks of different sizes in turn
/// do not fit each other's holes): about 0.5 GiB more at 224 px. It applies to allocations made on the process's main
/// thread (other threads use secondary arenas, which still map blocks over 64 MB), which is why the CLI runs its torch
/// work there; between phases whose buffers differ in size <see cref="ReleaseFreeMemory"/> hands the free blocks back.</item>
/// </list>
/// Neither changes a computed value: only where the buffers live.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapMax = -4;       // M_MMAP_MAX

    /// <summary>libtorch's switch (read once, at its first allocation) for transparent huge pages on blocks of 2 MB or more.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironmentVariable(string name, string value, int overwrite);

    /// <summary>
    /// The environment variable that chooses the heap policy at start-up: <c>system</c> (the default) or <c>keep</c>
    /// (see <see cref="NativeHeap"/>).
    /// </summary>
    public const string EnvironmentVariable = "CLASSIFY_HEAP";

    /// <summary>
    /// Applies the policy named by <paramref name="setting"/> (the value of <see cref="EnvironmentVariable"/>; null or
    /// empty for the default, <c>system</c>). Call it before libtorch allocates anything. Throws
    /// <see cref="ClassifierException"/> for an unknown name.
    /// </summary>
    public static void Configure(string? setting)
    {
        switch (setting?.Trim().ToLowerInvariant())
        {
            case null or "" or "system":
                UseHugePages();
                break;
            case "keep":
                KeepLargeBlocks();
                break;
            default:
                throw new ClassifierException(
                    $"{EnvironmentVariable}='{setting}': give system (the default: memory follows the live tensors) or keep (reuse freed blocks; more memory, fast where huge pages are off).");
        }
    }

    /// <summary>
    /// Asks libtorch to back its large CPU allocations with transparent huge pages, unless <see cref="HugePagesVariable"/>
    /// is already set (a user's <c>THP_MEM_ALLOC_ENABLE=0</c> turns them off). Linux only; libtorch reads the variable
    /// from the native environment, which <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach.
    /// </summary>
    public static void UseHugePages()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            SetNativeEnvironmentVariable(HugePagesVariable, "1", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No C library to set it in: libtorch keeps its default pages.
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
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has its own policy; nothing to set.
        }
    }

    /// <summary>
    /// Returns the free pages of every glibc arena to the system (<c>malloc_trim</c>), at the end of a phase whose
    /// buffers the next phase will not reuse. Under <see cref="KeepLargeBlocks"/> that is the main heap's kept blocks;
    /// under glibc's own policy the blocks under 32 MB that each allocating thread's arena still holds (libtorch's
    /// worker threads allocate too). Does nothing off Linux or without glibc.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }
}
