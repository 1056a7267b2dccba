namespace Classifier.Core.Torch;

/// <summary>
/// libtorch 2.10's oneDNN sizes its brgemm convolution kernels (1x1 convolutions on AVX-512 machines, as in
/// resnet50's bottleneck blocks) from the CPU's cache sizes, read from <c>/sys/devices/system/cpu/cpu0/cache</c>. On
/// virtual machines that do not publish them the estimate divides by zero and the process dies with SIGFPE in
/// <c>brgemm_convolution_utils::est_eff_1x1</c> during training, with no message. Limiting oneDNN to SSE4.1 keeps it
/// off that path (checked on such a machine: capping at AVX2 still crashed, SSE4.1 trains). The cap costs speed, so it
/// is set only where the caches are unknown, only for the networks that need it, and never over a user's own setting.
/// It keeps oneDNN from bfloat16 instructions too, so it is set before the run's precision is chosen: such a run's
/// <c>--precision auto</c> is fp32 (<see cref="CpuFeatures.NativeBf16"/> reads the cap through <see cref="OneDnnIsa"/>).
/// </summary>
public static class OneDnnSafety
{
    private const string CacheFolder = "/sys/devices/system/cpu/cpu0/cache";

    /// <summary>
    /// Caps oneDNN at SSE4.1 for this process when the CPU's cache sizes are unknown. Must run before the process's
    /// first oneDNN primitive (oneDNN reads the variable once); the CLI builds the network before any forward pass.
    /// </summary>
    public static void AvoidBrgemmWhereCacheSizesAreUnknown()
    {
        if (!OperatingSystem.IsLinux() || Directory.Exists(CacheFolder) || OneDnnIsa.IsSet) return;
        NativeEnvironment.SetUnlessSet(OneDnnIsa.Variable, "SSE41");
    }
}
