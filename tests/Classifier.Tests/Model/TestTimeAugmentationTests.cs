using System.Text.Json;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Torch;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Model;

public sealed class TestTimeAugmentationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public TestTimeAugmentationTests() => TorchRuntime.Initialize();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HorizontalFlip_AveragesTheLogitsOfTheImageAndItsMirrorImage()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var network = new SeedCnn(3, 24);
        network.eval();
        using var _ = inference_mode();
        using var inference = InferenceNetwork.Torch(network);
        var x = rand(5, 3, 24, 24);

        var expected = network.forward(x).add(network.forward(x.flip(3))).div(2.0.ToScalar());
        var actual = inference.Logits(x, TestTimeAugmentation.HorizontalFlip);

        Assert.Equal([5L, 3L], actual.shape);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6), "mean of the two views' logits");
        Assert.True(inference.Logits(x, TestTimeAugmentation.None).equal(network.forward(x)).all().item<bool>());
        // A left-right symmetric image looks the same both ways, so its logits do not change.
        var symmetric = x.add(x.flip(3)).div(2.0.ToScalar());
        Assert.True(inference.Logits(symmetric, TestTimeAugmentation.HorizontalFlip).allclose(network.forward(symmetric), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void TrainingWithTta_ValidatesWithIt_AndEvalUsesTheModelsOwnUnlessTold()
    {
        // Stripes differ by the band's side, so a mirror image looks like another class: the views disagree.
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 10, size: 24);
        var options = new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("run"), ImageSize = 24, Epochs = 2, BatchSize = 4, Threads = 1, Seed = 2,
            Monitor = MonitorMetric.ValLoss, TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip,
        };

        var result = new Trainer(options, new RecordingObserver()).Run();

        Assert.Equal(TestTimeAugmentation.HorizontalFlip, ModelFile.ReadInfo(result.Run.LastModel).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, TrainOptionsFile.Read(result.Run.Options).TestTimeAugmentation);
        Assert.Contains("\"tta\": \"horizontal_flip\"", File.ReadAllText(result.Run.Options));
        var validation = TrainingData.Resolve(options).Validation;
        var own = ModelEvaluation.Evaluate(result.Run.LastModel, validation, new EvalOptions { Model = "", DataDir = "" });
        var plain = ModelEvaluation.Evaluate(result.Run.LastModel, validation,
            new EvalOptions { Model = "", DataDir = "", TestTimeAugmentation = TestTimeAugmentation.None });
        Assert.Equal(result.History[^1].ValLoss, own.Result.Loss, 5);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, own.Result.Augmentation);
        Assert.NotEqual(own.Result.Loss, plain.Result.Loss, 3);
    }

    [Fact]
    public async Task Cli_TrainRecordsTta_EvalShowsIt_PredictCanTurnItOff()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 6, size: 24);
        var run = _dir.Combine("run");
        var train = await CliRun.Of("train", data, "--image-size", "24", "--epochs", "1", "--batch-size", "4", "--tta", "horizontal_flip", "-o", run);
        Assert.True(train.ExitCode == 0, train.ToString());

        var eval = await CliRun.Of("eval", "-m", run, data);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("test-time augmentation: horizontal_flip", eval.Out);
        var evalPlain = await CliRun.Of("eval", "-m", run, data, "--tta", "none", "--format", "json");
        Assert.Equal("none", JsonDocument.Parse(evalPlain.Out).RootElement.GetProperty("test_time_augmentation").GetString());

        var image = Directory.GetFiles(Path.Combine(data, "class_a"))[0];
        var own = await CliRun.Of("predict", "-m", run, image, "--format", "csv");
        var plain = await CliRun.Of("predict", "-m", run, image, "--format", "csv", "--tta", "none");
        Assert.True(own.ExitCode == 0 && plain.ExitCode == 0, own + plain.ToString());
        Assert.NotEqual(own.Out, plain.Out);  // the confidence differs when the mirror image is averaged in

        var refused = await CliRun.Of("predict", "-m", run, image, "--tta", "vertical");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("horizontal_flip", refused.Error);  // the accepted values are listed
    }
}
