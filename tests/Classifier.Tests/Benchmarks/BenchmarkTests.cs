using System.Text.Json;
using Classifier.Tests.Support;

namespace Classifier.Tests.Benchmarks;

public sealed class BenchmarkTests
{
    [Fact]
    public async Task Benchmark_PrintsEveryFigureAsJson_ForATinyRun()
    {
        var result = await CliRun.Of("benchmark", "--image-size", "24", "--images", "32", "--seconds", "0.05", "--batch-size", "8", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var row = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(24, row.GetProperty("image_size").GetInt32());
        foreach (var name in new[] { "decode_images_per_s", "train_ceiling_images_per_s", "train_naive_images_per_s",
                     "train_first_epoch_images_per_s", "train_epoch_images_per_s", "evaluate_images_per_s",
                     "inference_ceiling_images_per_s", "peak_resident_bytes" })
            Assert.True(row.GetProperty(name).GetDouble() > 0, name);
        Assert.Contains("training steps on synthetic batches", result.Error);
    }
}
