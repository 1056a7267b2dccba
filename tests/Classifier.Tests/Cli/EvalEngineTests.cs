using System.Text.Json;
using Classifier.Core.Evaluation;
using Classifier.Core.Inference;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>
/// Which engine <c>eval</c> runs a zoo network on, as a user sees it in metrics.json: ONNX Runtime for a folder, libtorch
/// for a handful of images, and the same engine for every shard of one folder, however few images a shard holds, so
/// the shards merge.
/// </summary>
public sealed class EvalEngineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ZooModel_FolderOnOnnxRuntime_FewImagesOnLibTorch_ShardsAllOnTheFoldersEngine()
    {
        // At 32 px a folder needs as many pixels as 32 images of 224 px: 1,568 images.
        const int perClass = 800;
        Assert.True(InferenceNetwork.AreFew(perClass * 2 / 3, 32) && !InferenceNetwork.AreFew(perClass * 2, 32));
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: perClass, size: 32);
        var few = TestImages.StripesDataset(_dir.Combine("few"), classes: 2, perClass: 4, size: 32, seed: 3);
        var run = _dir.Combine("run");
        var train = await CliRun.Of("train", few, "--model", "mobilenet_v3_small", "--image-size", "32", "--epochs", "1",
            "--batch-size", "4", "-o", run);
        Assert.True(train.ExitCode == 0, train.ToString());

        Assert.Equal("onnx", await EngineOf(run, data, _dir.Combine("folder")));
        Assert.Equal("torch", await EngineOf(run, few, _dir.Combine("few-eval")));
        for (int k = 0; k < 3; k++)   // a third of the folder each: too few on their own
            Assert.Equal("onnx", await EngineOf(run, data, _dir.Combine("shards", $"shard-{k}"), "--shard", $"{k}/3"));
        var merge = await CliRun.Of("eval", "--merge", _dir.Combine("shards"), "-o", _dir.Combine("merged"));
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(SavedEvaluation.Read(_dir.Combine("folder", EvaluationOutputs.MetricsName)).Accuracy,
            SavedEvaluation.Read(_dir.Combine("merged", EvaluationOutputs.MetricsName)).Accuracy);
    }

    private static async Task<string?> EngineOf(string run, string data, string output, params string[] more)
    {
        var eval = await CliRun.Of(["eval", "--model", run, data, "-o", output, .. more]);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, EvaluationOutputs.MetricsName)));
        return json.RootElement.GetProperty("engine").GetString();
    }
}
