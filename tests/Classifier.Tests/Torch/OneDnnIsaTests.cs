using System.Diagnostics;
using Classifier.Cli;
using Classifier.Core.Torch;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Torch;

/// <summary>
/// A oneDNN capped below AVX512_CORE_BF16 (by the user's <c>ONEDNN_MAX_CPU_ISA</c>, or by classify's own cap for
/// resnet50 on machines that hide their cache sizes) has no bf16 instructions, so bf16 is emulated there even on a CPU
/// that has them: <c>--precision auto</c> must not choose it, and an explicit bf16 must say why it is slow. The runs
/// are separate processes, as oneDNN reads the cap once per process.
/// </summary>
public sealed class OneDnnIsaTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("SSE41", true)]
    [InlineData("avx2", true)]   // oneDNN ignores the case
    [InlineData("AVX2_VNNI_2", true)]
    [InlineData("AVX512_CORE_VNNI", true)]
    [InlineData("AVX512_CORE_BF16", false)]
    [InlineData("AVX512_CORE_AMX", false)]
    [InlineData("AVX10_1_512", false)]
    [InlineData("ALL", false)]
    [InlineData("DEFAULT", false)]
    [InlineData("NOT_AN_ISA", false)]   // oneDNN ignores values it does not know
    [InlineData("", false)]
    [InlineData(null, false)]
    public void CapExcludesBf16_OnlyForTheLevelsBelowAvx512CoreBf16(string? cap, bool excludes) =>
        Assert.Equal(excludes, OneDnnIsa.CapExcludesBf16(cap));

    [NativeBf16Fact]
    public async Task Auto_At224Px_UnderACapBelowBf16_TrainsInFp32_ThoughThisCpuHasBf16()
    {
        var (exit, output, _) = await TrainAsync("auto", ["--model", "resnet18", "--image-size", "224"]);

        Assert.True(exit == ExitCodes.Ok, output);
        Assert.Equal(Precision.Fp32, TrainOptionsFile.Read(Path.Combine(_dir.Combine("auto"), "options.json")).Precision);
        Assert.Contains(", fp32", output);
    }

    [Fact]
    public async Task ExplicitBf16_UnderACapBelowBf16_WarnsThatItIsEmulated_NamingWhy()
    {
        var (exit, output, error) = await TrainAsync("bf16", ["--model", "resnet18", "--image-size", "32", "--precision", "bf16"]);

        Assert.True(exit == ExitCodes.Ok, output + error);
        string why = CpuFeatures.HasBf16 ? "ONEDNN_MAX_CPU_ISA=AVX2 keeps oneDNN from this CPU's bf16 instructions" : "this CPU has no AVX512_BF16 or AMX";
        Assert.Contains($"bf16 mixed precision, EMULATED: {why}", output);
        Assert.Contains($"warning: --precision bf16 is emulated and slower than fp32 here ({why})", error);
        Assert.Equal(Precision.Bf16, TrainOptionsFile.Read(Path.Combine(_dir.Combine("bf16"), "options.json")).Precision);
    }

    /// <summary>One epoch of <c>classify train</c> on a tiny two-class set, in a process whose oneDNN is capped at AVX2.</summary>
    private async Task<(int Exit, string Output, string Error)> TrainAsync(string run, string[] options)
    {
        var data = Directory.Exists(_dir.Combine("data")) ? _dir.Combine("data") : TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 4, size: 24);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "classify")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["train", data, "--epochs", "1", "--threads", "1", "--validation-split", "0.25", "-o", _dir.Combine(run), .. options])
            start.ArgumentList.Add(arg);
        start.Environment["ONEDNN_MAX_CPU_ISA"] = "avx2";
        start.Environment.Remove("DNNL_MAX_CPU_ISA");
        foreach (var name in new[] { "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS" }) start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
