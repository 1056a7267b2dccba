using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>
/// A loose guard on peak memory at 224 px, so that a regression of gigabytes cannot land unnoticed; the measured
/// figures and their PyTorch reference are in docs/performance.md, and <c>classify benchmark</c> prints them.
/// </summary>
public sealed partial class TrainMemoryGuardTests : IDisposable
{
    /// <summary>
    /// Generous: a 224 px run at batch 8 peaks near 1.3 GiB (runtime and libtorch ~0.45 GiB, weights, gradients and Adam
    /// moments of the 44 M parameters 0.7 GiB, activations ~0.2 GiB) under the default heap policy the child process
    /// gets (CLASSIFY_HEAP unset; CLASSIFY_HEAP=keep adds up to 0.5 GiB); the limit catches a regression of gigabytes, not of percent.
    /// </summary>
    private const long LimitBytes = 2_500L << 20;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact("the limit is calibrated on Linux's resident-memory accounting")]
    public async Task Train_At224Px_WithValidationCheckpointsAndTheFinalEvaluation_StaysUnderAGenerousMemoryLimit()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 12, size: 224, extension: ".jpg");

        // The real CLI in its own process, so the peak is the run's alone and not the test host's.
        var cli = Path.Combine(AppContext.BaseDirectory, "classify.dll");
        using var child = Process.Start(new ProcessStartInfo("dotnet",
            [cli, "train", data, "--image-size", "224", "--batch-size", "8", "--epochs", "1", "--threads", "2", "-o", _dir.Combine("run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var error = child.StandardError.ReadToEndAsync();
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();

        Assert.True(child.ExitCode == 0, output + await error);
        var line = output.Split('\n').Single(l => l.StartsWith("Memory:", StringComparison.Ordinal));
        var match = GibOrMib().Match(line);
        Assert.True(match.Success, line);
        double peak = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * (match.Groups[2].Value == "GiB" ? 1 << 30 : 1 << 20);
        Assert.True(peak < LimitBytes, $"peak resident memory {line.Trim()} is over the guard's {LimitBytes >> 20:N0} MiB");
    }

    [GeneratedRegex(@"([\d.]+) (GiB|MiB) peak")]
    private static partial Regex GibOrMib();
}
