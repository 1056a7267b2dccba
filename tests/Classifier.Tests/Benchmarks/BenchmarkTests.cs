using System.Text.Json;
using Classifier.Tests.Support;

namespace Classifier.Tests.Benchmarks;

public sealed class BenchmarkTests
{
    [Fact]
    public async Task Benchmark_PrintsEveryFigureAsJson_ForATinyRun()
    {
        var result = await CliRun.Of("benchmark", "--image-size", "24", "--images", "32", "--seconds", "0.05", "--batch-size", "8",
            "--precision", "fp32", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var row = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("fp32", row.GetProperty("precision").GetString());
        Assert.Equal(24, row.GetProperty("image_size").GetInt32());
        foreach (var name in new[] { "decode_images_per_s", "train_ceiling_images_per_s", "train_naive_images_per_s",
                     "train_first_epoch_images_per_s", "train_epoch_images_per_s", "evaluate_images_per_s",
                     "inference_ceiling_images_per_s", "peak_resident_bytes" })
            Assert.True(row.GetProperty(name).GetDouble() > 0, name);
        Assert.Contains("training steps on synthetic batches", result.Error);
        // The seed CNN has no separable head, so there is nothing to freeze.
        Assert.Equal(JsonValueKind.Null, row.GetProperty("train_frozen_later_epoch_images_per_s").ValueKind);
    }

    [Fact]
    public async Task Benchmark_ForAZooNetwork_MeasuresFrozenBackboneTraining_WithLaterEpochsFromCachedFeatures()
    {
        var result = await CliRun.Of("benchmark", "--model", "mobilenet_v3_small", "--image-size", "32", "--images", "32",
            "--seconds", "0.05", "--batch-size", "8");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("frozen-backbone training from files", result.Error);
        // Figures only (how fast depends on the machine and its load; the benchmark is where speed is read, not a test).
        Assert.True(Cell(result.Out, "frozen backbone: first epoch") > 0, result.Out);
        Assert.True(Cell(result.Out, "frozen backbone: later (cached)") > 0, result.Out);
    }

    [NativeBf16Fact]
    public async Task Benchmark_OnACpuWithNativeBf16_MeasuresFp32AndBf16SideBySide()
    {
        var json = await CliRun.Of("benchmark", "--image-size", "24", "--images", "16", "--seconds", "0.05", "--batch-size", "8", "--format", "json");
        var table = await CliRun.Of("benchmark", "--image-size", "24", "--images", "16", "--seconds", "0.05", "--batch-size", "8");

        Assert.True(json.ExitCode == 0, json.ToString());
        using var rows = JsonDocument.Parse(json.Out);
        Assert.Equal(new[] { "fp32", "bf16" }, rows.RootElement.EnumerateArray().Select(r => r.GetProperty("precision").GetString()!).ToArray());
        Assert.Matches("avx512_bf16|amx_bf16", table.Out.Split('\n')[0]);   // the CPU's flags in the first line
        var precisionRow = table.Out.Split('\n').Single(l => l.StartsWith("precision (--precision)", StringComparison.Ordinal));
        Assert.Contains("fp32", precisionRow);
        Assert.Contains("bf16", precisionRow);
        Assert.Matches(@"\[\d+\.\d\dx\]", table.Out);   // bf16 over fp32
    }

    private static double Cell(string table, string row)
    {
        var line = table.Split('\n').Single(l => l.StartsWith(row, StringComparison.Ordinal));
        return double.Parse(line[row.Length..].Trim().Split(' ')[0], System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture);
    }
}
