using System.Runtime.InteropServices;

namespace Classifier.Core.Torch;

/// <summary>
/// Where libtorch's CPU tensors live: the native heap policy (<see cref="HeapPolicy"/>). A training step at 224 px
/// allocates and frees hundreds of MB to GBs in blocks of 1-200 MB (activations, their gradients, oneDNN's reorders).
/// How glibc serves them decides both speed and peak memory, and the best choice depends on the network
/// (docs/performance.md, "The heap policy per network"): by default each network brings its own
/// (<see cref="Model.Zoo.NetworkSpec.Heap"/>), applied by <see cref="ForNetwork"/> when the first network is built;
/// <c>CLASSIFY_HEAP</c> (<see cref="Configure"/>) sets one for the whole process instead. Neither changes a computed
/// value: only where the buffers live.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1;  // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3;  // M_MMAP_THRESHOLD
    private const int MmapMax = -4;        // M_MMAP_MAX

    /// <summary>Blocks of this size or more are mapped on their own under <see cref="HeapPolicy.Frugal"/>, and unmapped when freed.</summary>
    public const int FrugalMapThreshold = 4 << 20;

    /// <summary>libtorch's switch (read once, at its first allocation) for transparent huge pages on blocks of 2 MB or more.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>
    /// The environment variable that chooses the heap policy at start-up: <c>auto</c> (the default: the network's own),
    /// <c>system</c>, <c>plain</c>, <c>frugal</c> or <c>keep</c> (see <see cref="HeapPolicy"/>).
    /// </summary>
    public const string EnvironmentVariable = "CLASSIFY_HEAP";

    private static readonly Lock Gate = new();

    /// <summary>The policy in force, or null while none was chosen yet.</summary>
    public static HeapPolicy? Current { get; private set; }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>
    /// Applies the policy named by <paramref name="setting"/> (the value of <see cref="EnvironmentVariable"/>) to the whole
    /// process; null, empty or <c>auto</c> leaves the choice to the first network built (<see cref="ForNetwork"/>). Call
    /// it before libtorch allocates anything. Throws <see cref="ClassifierException"/> for an unknown name.
    /// </summary>
    public static void Configure(string? setting)
    {
        if (Parse(setting) is { } chosen) Choose(chosen);
    }

    /// <summary>The policy <paramref name="setting"/> names; null for the default (each network's own).</summary>
    internal static HeapPolicy? Parse(string? setting) => setting?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "system" => HeapPolicy.HugePages,
        "plain" => HeapPolicy.Plain,
        "frugal" => HeapPolicy.Frugal,
        "keep" => HeapPolicy.Keep,
        _ => throw new ClassifierException(
            $"{EnvironmentVariable}='{setting}': give auto (the default: each network's own), system (glibc with huge pages), " +
            "plain (glibc, 4 KiB pages), frugal (least memory, slower) or keep (reuse freed blocks; more memory). See docs/performance.md."),
    };

    /// <summary>
    /// Applies <paramref name="preferred"/>, a network's own policy, unless a policy is already in force (set by
    /// <c>CLASSIFY_HEAP</c>, or by the first network this process built: libtorch reads its huge-page switch once).
    /// </summary>
    public static void ForNetwork(HeapPolicy preferred) => Choose(preferred);

    private static void Choose(HeapPolicy policy)
    {
        lock (Gate)
        {
            if (Current is not null) return;
            Current = policy;
        }
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            switch (policy)
            {
                case HeapPolicy.HugePages:
                    UseHugePages();
                    break;
                case HeapPolicy.Frugal:
                    UseHugePages();
                    _ = Mallopt(MmapThreshold, FrugalMapThreshold);
                    break;
                case HeapPolicy.Keep:
                    _ = Mallopt(MmapMax, 0);
                    _ = Mallopt(TrimThreshold, int.MaxValue);
                    break;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): its allocator has its own policy; nothing to set.
        }
    }

    /// <summary>
    /// Asks libtorch to back its allocations of 2 MB or more with transparent huge pages, unless
    /// <see cref="HugePagesVariable"/> is already set (a user's <c>THP_MEM_ALLOC_ENABLE=0</c> turns them off). libtorch
    /// reads the variable from the native environment, which <see cref="Environment.SetEnvironmentVariable(string, string)"/>
    /// does not reach, once, at its first allocation.
    /// </summary>
    private static void UseHugePages() => NativeEnvironment.SetUnlessSet(HugePagesVariable, "1", alsoManaged: false);

    /// <summary>
    /// Returns the free pages of every glibc arena to the system (<c>malloc_trim</c>), at the end of a phase whose
    /// buffers the next phase will not reuse. Under <see cref="HeapPolicy.Keep"/> that is the main heap's kept blocks;
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
