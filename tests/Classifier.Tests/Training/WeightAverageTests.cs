using Classifier.Core.Evaluation;
using Classifier.Core.Model;
using Classifier.Core.Model.Zoo;
using Classifier.Core.Runs;
using Classifier.Core.Training;
using Classifier.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Tests.Training;

public sealed class WeightAverageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] Values(Tensor t) => t.detach().cpu().data<float>().ToArray();

    [Fact]
    public void Update_MovesEachWeightByTheRampedDecay_AsComputedByHand()
    {
        manual_seed(3);
        using var trained = new SeedCnn(3, 24);
        using var average = new WeightAverage(trained, () => new SeedCnn(3, 24), decay: 0.9);
        var start = Values(trained.state_dict()["fc2.weight"]);

        // Step 1: the ramp gives min(0.9, 2/11) = 0.1818...; the average moves 81.8% of the way to the new weights.
        using (no_grad()) trained.state_dict()["fc2.weight"].add_(1.0f);
        average.Update(step: 1);
        double d1 = 2.0 / 11;
        var expected = start.Select(w => (float)(d1 * w + (1 - d1) * (w + 1))).ToArray();
        var actual = Values(average.Network.state_dict()["fc2.weight"]);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i], expected[i] - 1e-5f, expected[i] + 1e-5f);

        // Step 1000: the ramp is past 0.9, so the full decay applies.
        Assert.Equal(0.9, average.DecayAt(1000));
        using (no_grad()) trained.state_dict()["fc2.weight"].add_(1.0f);
        average.Update(step: 1000);
        expected = expected.Select((a, i) => (float)(0.9 * a + 0.1 * (start[i] + 2))).ToArray();
        actual = Values(average.Network.state_dict()["fc2.weight"]);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i], expected[i] - 1e-5f, expected[i] + 1e-5f);

        // The trained network is not touched, and the average takes no gradients.
        Assert.Equal(start.Select(w => w + 2), Values(trained.state_dict()["fc2.weight"]), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.All(average.Network.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void TrainingWithAnAverage_SavesTheAverageAsTheModel_AndTheTrainedWeightsForResume()
    {
        var data = TestImages.StripesDataset(_dir.Combine("data"), classes: 2, perClass: 10, size: 24);
        var options = new TrainOptions
        {
            DataDir = data, OutputDir = _dir.Combine("run"), ImageSize = 24, Epochs = 2, BatchSize = 4, Threads = 1, Seed = 2,
            EmaDecay = 0.95, Monitor = MonitorMetric.ValLoss, KeepOptimizer = true,
        };

        var result = new Trainer(options, new RecordingObserver()).Run();

        using var last = ModelFile.Load(result.Run.LastModel);
        using var trained = Checkpoint.TrainedNetwork(result.Run.LastModel, last, averaged: true);
        Assert.NotEqual(ModelFile.WeightsToBytes(last.Network), ModelFile.WeightsToBytes(trained));
        // The validated network is the saved one: evaluating last.cls gives the last epoch's val_loss.
        var validation = TrainingData.Resolve(options).Validation;
        var evaluation = ModelEvaluation.Evaluate(result.Run.LastModel, validation, new EvalOptions { Model = result.Run.LastModel, DataDir = data });
        Assert.Equal(result.History[^1].ValLoss, evaluation.Result.Loss, 5);
        Assert.Equal(0.95, TrainOptionsFile.Read(result.Run.Options).EmaDecay);
    }

    [Fact]
    public void EmaDecayOutsideZeroToOne_IsRefused_NamingTheOption()
    {
        var options = new TrainOptions { DataDir = "x", EmaDecay = 1.0 };
        var error = Assert.Throws<Classifier.Core.ClassifierException>(options.Validate);
        Assert.Contains("--ema-decay 1", error.Message);
    }
}
