using System.Diagnostics;
using System.Globalization;

namespace Classifier.Core.Torch;

/// <summary>
/// How libtorch's OpenMP threads wait for each other, chosen once per process from how busy the machine is when it
/// starts. libgomp's idle threads spin for a while before they sleep: cheap wake-ups on a quiet machine, but when
/// another program holds a core, a spinning thread that runs instead of the one holding the work stalls the whole team
/// (docs/performance.md, "Under load"). So when other programs already use the cores the threads need, the threads
/// wait passively (<c>OMP_WAIT_POLICY=PASSIVE</c>, and ONNX Runtime's threads do not spin); on a quiet machine libgomp
/// keeps its default. The choice changes timing only: the thread count, and so every result, stays the same.
/// libgomp reads the variable once, when libtorch loads, so the choice is made before that and holds for the process.
/// </summary>
public static class OpenMpWaiting
{
    /// <summary>The shortest time the machine is watched before the choice (a first reading at start-up, a second before libtorch loads).</summary>
    public static readonly TimeSpan ProbeTime = TimeSpan.FromMilliseconds(200);

    private static readonly Lock Gate = new();
    private static CpuLoad.Reading? _first;
    private static long _firstTimestamp;

    /// <summary>The choice this process made; null until libtorch loads.</summary>
    public static WaitChoice? Choice { get; private set; }

    /// <summary>Takes the first reading of the machine's load; call as early as possible, so that the second one needs no wait.</summary>
    public static void StartProbe()
    {
        lock (Gate)
        {
            if (_first is not null || Choice is not null) return;
            _first = CpuLoad.Read();
            _firstTimestamp = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>
    /// Chooses (once) how the threads wait, for a team of <paramref name="threads"/> (0: libtorch's default, one per
    /// physical core), and sets it for the native libraries. Must run before libtorch loads.
    /// </summary>
    internal static WaitChoice ChooseBeforeLibTorchLoads(int threads)
    {
        lock (Gate)
        {
            if (Choice is { } made) return made;
            Choice = Decide(threads);
            if (Choice.Passive && Choice.Reason == WaitReason.Busy)
            {
                NativeEnvironment.SetUnlessSet("OMP_WAIT_POLICY", "PASSIVE");
            }
            return Choice;
        }
    }

    private static WaitChoice Decide(int threads)
    {
        if (UserSetting() is { } user) return user;
        if (_first is null) StartProbe();
        var remaining = ProbeTime - Stopwatch.GetElapsedTime(_firstTimestamp);
        if (remaining > TimeSpan.Zero) Thread.Sleep(remaining);
        if (_first is not { } first || CpuLoad.Read() is not { } second || CpuLoad.OtherBusyCpus(first, second) is not { } others)
            return new WaitChoice(false, WaitReason.Unknown, 0, 0);
        int team = threads > 0 ? threads : PhysicalCores(second.Cpus);
        bool passive = NeedsPassiveWaiting(others, second.Cpus, team);
        return new WaitChoice(passive, passive ? WaitReason.Busy : WaitReason.Quiet, others, second.Cpus, Threads: team);
    }

    /// <summary>
    /// True when the other programs leave fewer free CPUs than the team has threads, by more than half a CPU (so a
    /// quiet machine's background noise never counts): then one of the team's threads shares a CPU.
    /// </summary>
    public static bool NeedsPassiveWaiting(double otherBusyCpus, int cpus, int threads) =>
        threads > 1 && cpus - otherBusyCpus < threads - 0.5;

    private static WaitChoice? UserSetting()
    {
        foreach (var name in new[] { "OMP_WAIT_POLICY", "GOMP_SPINCOUNT" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                return new WaitChoice(
                    name == "OMP_WAIT_POLICY" && value.Trim().Equals("passive", StringComparison.OrdinalIgnoreCase),
                    WaitReason.User, 0, 0, $"{name}={value}");
        return null;
    }

    /// <summary>libtorch's default team: one thread per physical core (distinct core ids), counted from sysfs.</summary>
    private static int PhysicalCores(int cpus)
    {
        try
        {
            var cores = new HashSet<string>();
            foreach (var cpu in Directory.EnumerateDirectories("/sys/devices/system/cpu", "cpu*"))
            {
                var topology = Path.Combine(cpu, "topology");
                if (!File.Exists(Path.Combine(topology, "core_id"))) continue;
                cores.Add(File.ReadAllText(Path.Combine(topology, "physical_package_id")).Trim() + "/" + File.ReadAllText(Path.Combine(topology, "core_id")).Trim());
            }
            return cores.Count > 0 ? Math.Min(cores.Count, cpus) : cpus;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return cpus;
        }
    }
}

/// <summary>Why the threads wait as they do.</summary>
public enum WaitReason
{
    /// <summary>The machine's load could not be read (not Linux); libgomp's default.</summary>
    Unknown,
    /// <summary>The machine was quiet enough for every thread to have a CPU; libgomp's default.</summary>
    Quiet,
    /// <summary>Other programs held CPUs the team needs; passive waiting.</summary>
    Busy,
    /// <summary>The user set OMP_WAIT_POLICY or GOMP_SPINCOUNT; left as set.</summary>
    User,
}

/// <summary>The wait policy chosen for this process.</summary>
/// <param name="Passive">True when the threads sleep at once instead of spinning.</param>
/// <param name="Reason">Why.</param>
/// <param name="OtherBusyCpus">The other programs' load measured before the choice, in CPUs.</param>
/// <param name="Cpus">The CPUs the process may use.</param>
/// <param name="UserSetting">The variable the user set, when <see cref="Reason"/> is <see cref="WaitReason.User"/>.</param>
/// <param name="Threads">The team's size the choice was made for (0 when not measured).</param>
public sealed record WaitChoice(bool Passive, WaitReason Reason, double OtherBusyCpus, int Cpus, string? UserSetting = null, int Threads = 0)
{
    /// <summary>
    /// For the run's log: empty on a quiet machine, else what was seen and chosen. A busy machine's note also points
    /// to <c>--threads 1</c>: passive waiting reaches libgomp's barriers only, while oneDNN's convolutions spin-wait for
    /// each other's threads inside their kernels, so a team that shares a CPU still stalls there, most at small image
    /// sizes (docs/performance.md, "Under load"). classify does not change the count itself, as results depend on it.
    /// </summary>
    public string Note => Reason switch
    {
        WaitReason.Busy => string.Create(CultureInfo.InvariantCulture,
            $"other programs were using {OtherBusyCpus:0.0} of {Cpus} CPUs, so threads wait passively") +
            (Threads > 1 ? "; while they run, --threads 1 is faster for small images (a different, equally repeatable run)" : ""),
        WaitReason.User => $"{UserSetting} (set by you)",
        _ => "",
    };
}
