using Classifier.Core.Evaluation;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using Classifier.Core.Training;
using Classifier.Tests.Support;

namespace Classifier.Tests.Training;

/// <summary>
/// <c>--precision</c> through the one trainer: recorded in options.json and the model file, honoured by resume and eval,
/// deterministic for a seed and thread count in each precision, and (where the CPU has native bf16) as accurate as fp32.
/// Small images and few of them; the full-sample figures are in docs/performance.md.
/// </summary>
public sealed class PrecisionTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _data;

    public PrecisionTrainingTests() => _data = TestImages.StripesDataset(_dir.Combine("data"), classes: 3, perClass: 10, size: 28);

    public void Dispose() => _dir.Dispose();

    private TrainOptions Options(string output, Precision precision, int epochs = 2) => new()
    {
        DataDir = _data,
        OutputDir = _dir.Combine(output),
        ImageSize = 28,
        Epochs = epochs,
        BatchSize = 8,
        Threads = 1,
        Seed = 3,
        ValidationSplit = 0.3,
        Precision = precision,
    };

    private static IEnumerable<(double, double, double, double)> Numbers(IEnumerable<HistoryRow> rows) =>
        rows.Select(r => (r.Loss, r.Accuracy, r.ValLoss, r.ValAccuracy));

    [Fact]
    public void Bf16Run_IsRecordedInOptionsJsonAndTheModel_AndResumeContinuesItExactly()
    {
        var whole = new Trainer(Options("whole", Precision.Bf16), new RecordingObserver()).Run();
        // The first run ends after epoch 1: it keeps Adam's moments so that extending it is exactly the longer run.
        var first = new Trainer(Options("resumed", Precision.Bf16, epochs: 1) with { KeepOptimizer = true }, new RecordingObserver()).Run();

        var resumed = Trainer.Resume(first.Run.Path, 2, new RecordingObserver());

        Assert.Equal(Precision.Bf16, TrainOptionsFile.Read(whole.Run.Options).Precision);
        Assert.Contains("\"precision\": \"bf16\"", File.ReadAllText(whole.Run.Options));
        using var model = ModelFile.Load(whole.Run.LastModel);
        Assert.Equal(Precision.Bf16, model.Info.Precision);
        Assert.All(model.Network.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));   // saved in fp32
        Assert.Equal(Numbers(whole.History), Numbers(resumed.History));
    }

    [Fact]
    public void Auto_OnTheSeedCnn_TrainsInFp32_AndSaysSoInItsFiles()
    {
        var result = new Trainer(Options("auto", Precision.Auto, epochs: 1), new RecordingObserver()).Run();
        var fp32 = new Trainer(Options("fp32", Precision.Fp32, epochs: 1), new RecordingObserver()).Run();

        Assert.Equal(Precision.Fp32, TrainOptionsFile.Read(result.Run.Options).Precision);
        using var model = ModelFile.Load(result.Run.BestModel);
        Assert.Equal(Precision.Fp32, model.Info.Precision);
        Assert.Equal(Numbers(fp32.History), Numbers(result.History));
    }

    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)]
    public void SameSeedAndThreads_GiveTheSameRun_InEachPrecision(Precision precision)
    {
        var a = new Trainer(Options("a", precision), new RecordingObserver()).Run();
        var b = new Trainer(Options("b", precision), new RecordingObserver()).Run();

        Assert.Equal(Numbers(a.History), Numbers(b.History));
    }

    [Fact]
    public void Bf16_ComputesDifferentlyFromFp32_SoThePathIsReallyTaken()
    {
        var fp32 = new Trainer(Options("fp32", Precision.Fp32, epochs: 1), new RecordingObserver()).Run();
        var bf16 = new Trainer(Options("bf16", Precision.Bf16, epochs: 1), new RecordingObserver()).Run();

        Assert.NotEqual(fp32.History[0].Loss, bf16.History[0].Loss);
        Assert.InRange(Math.Abs(fp32.History[0].Loss - bf16.History[0].Loss), 0, 0.05 * fp32.History[0].Loss);
    }

    [Fact]
    public void Eval_ByDefault_RunsABf16ModelInBf16WhereNative_AndRepeatsTrainingsValidationExactly()
    {
        var run = new Trainer(Options("run", Precision.Bf16), new RecordingObserver()).Run();

        var report = ModelEvaluation.Evaluate(run.Run.BestModel, run.Validation, new EvalOptions { Model = run.Run.BestModel, DataDir = run.Validation.Root, Threads = 1, Engine = InferenceEngine.Torch });

        var expected = CpuFeatures.NativeBf16 ? Precision.Bf16 : Precision.Fp32;   // auto never picks emulated bf16
        Assert.Equal(expected, report.Result.Precision);
        if (expected == Precision.Bf16)
            Assert.Equal(run.History[^1].ValLoss, report.Result.Loss, 12);
    }

    [Fact]
    public void FrozenBackboneInBf16_TrainsItsLaterEpochsFromTheCachedFeatures()
    {
        var options = Options("frozen", Precision.Bf16) with { Model = "resnet18", ImageSize = 32, Freeze = FreezeMode.Backbone };

        var result = new Trainer(options, new RecordingObserver()).Run();

        Assert.Equal(2, result.History.Count);
        Assert.All(result.History, r => Assert.True(double.IsFinite(r.Loss) && double.IsFinite(r.ValLoss)));
        using var model = ModelFile.Load(result.Run.BestModel);
        Assert.Equal(Precision.Bf16, model.Info.Precision);
    }

    [NativeBf16Fact]
    public void EvalOfOneModel_InBf16AndFp32_AgreesOnAtLeast99PercentOfLabels()
    {
        var run = new Trainer(Options("run", Precision.Fp32, epochs: 3) with { DataDir = SampleData.FashionMini, ValidationSplit = null },
            new RecordingObserver()).Run();

        var fp32 = Labels(run, Precision.Fp32);
        var bf16 = Labels(run, Precision.Bf16);

        Assert.Equal(fp32.Length, bf16.Length);
        Assert.True(fp32.Length >= 100);
        double agreement = fp32.Zip(bf16).Count(p => p.First == p.Second) / (double)fp32.Length;
        Assert.True(agreement >= 0.99, $"bf16 and fp32 agree on {agreement:P1} of {fp32.Length} labels");
    }

    private static int[] Labels(TrainResult run, Precision precision) =>
        ModelEvaluation.Evaluate(run.Run.BestModel, run.Validation,
                new EvalOptions { Model = run.Run.BestModel, DataDir = run.Validation.Root, Threads = 1, Engine = InferenceEngine.Torch, Precision = precision })
            .Result.Predictions.Select(p => p.Predicted).ToArray();
}
