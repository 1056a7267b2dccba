using System.Runtime.InteropServices;

namespace Classifier.Core.Torch;

/// <summary>
/// How libtorch's OpenMP threads wait for each other between parallel regions. libtorch ships GNU OpenMP (libgomp),
/// whose idle threads spin for <c>GOMP_SPINCOUNT</c> iterations (300,000 by default, about a millisecond) before they
/// sleep. On an idle machine that keeps the wake-up after each small op cheap; when another process wants a core, a
/// spinning thread that is scheduled in its place holds up the whole team: a 28 px epoch took 2.9x its quiet time with
/// one busy process on a 2-core machine. A short spin keeps almost all of the quiet speed and bounds that waste
/// (docs/performance.md has the measurements). libgomp reads its variables once, when it loads, so they are set in the
/// process environment before libtorch loads (<see cref="TorchRuntime.Initialize"/>); values the user set win.
/// </summary>
public static class OpenMpWaiting
{
    /// <summary>
    /// Spin iterations before an idle libtorch thread sleeps, chosen by measurement on a 2-core AVX-512 machine at 28 and
    /// 224 px, quiet and beside one busy process (docs/performance.md).
    /// </summary>
    public const string SpinCount = "10000";

    /// <summary>The variables classify sets, unless the environment already has them.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["GOMP_SPINCOUNT"] = SpinCount,
    };

    /// <summary>
    /// Puts <see cref="Settings"/> into the native process environment (where libgomp reads them; .NET's
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it on Unix), for every variable the
    /// user has not set, and also when <c>OMP_WAIT_POLICY</c> is set, which decides the spinning on its own. Linux only:
    /// other systems' libtorch builds use other OpenMP runtimes.
    /// </summary>
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null) return;
        foreach (var (name, value) in Settings)
            if (Environment.GetEnvironmentVariable(name) is null)
                _ = SetEnv(name, value, overwrite: 0);
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
