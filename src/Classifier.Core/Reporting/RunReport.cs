using Classifier.Core.Evaluation;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using Classifier.Core.Training;

namespace Classifier.Core.Reporting;

/// <summary>
/// The files of a run besides the trainer's own, in one place. As an observer it records what the run trains and
/// validates on when training starts (<c>dataset.json</c>, and <c>files.csv</c> with every image's content hash);
/// after training, <see cref="Finish"/> evaluates the best model on the validation images with the run's own device,
/// strictness, limits and validation batch size (writing the usual eval files), and a data folder's test/ folder when
/// it has one (<c>eval-test/</c>), writes <c>report.html</c> and appends the CI job summary, through the same
/// <see cref="EvaluationEnd"/> as <c>classify eval</c>.
/// </summary>
public sealed class RunReport : ITrainingObserver
{
    private TrainingFiles? _files;

    /// <summary>The run folder, once training has started.</summary>
    public string? RunPath { get; private set; }

    /// <inheritdoc />
    public void OnTrainingStarted(TrainingStarted start)
    {
        RunPath = start.Run.Path;
        DatasetSummary.From(start).Write(start.Run.Path);
        _files = TrainingFiles.Write(start.Run.Files, start.Train, start.Validation);
    }

    /// <summary>
    /// Evaluates the run's best model on its validation images and writes the eval files, report.html and the CI job
    /// summary (see <see cref="FinishedRun"/>).
    /// </summary>
    public FinishedRun Finish(TrainResult result, CancellationToken cancellation = default)
    {
        var run = result.Run;
        string? folder = null;
        SavedEvaluation? validation = null;
        if (result.Validation.Images.Count > 0 && File.Exists(run.BestModel))
        {
            folder = Path.Combine(run.Path, EvaluationOutputs.SplitFolderName(TrainingFiles.ValidationSplit, result.Validation.Root, result.ValidationIsSplit));
            var report = EvaluateBestModel(result, result.Validation, TrainingFiles.ValidationSplit, dataDir: null, cancellation)
                with { Split = TrainingFiles.ValidationSplit };
            // Claimed and written whole; a folder holding another data folder's evaluation keeps it (see EvaluationFolder).
            folder = EvaluationEnd.WriteFiles(report, output: null, defaultFolder: folder).Folder;
            validation = SavedEvaluation.Of(report, Path.Combine(folder, EvaluationOutputs.MetricsName));
        }
        var (testFolder, testAccuracy) = EvaluateTest(result, cancellation);
        var summary = MarkdownSummary.ForTraining(run.Path, result.History, result.BestEpoch, validation);
        var (reportPath, warning) = EvaluationEnd.Publish(run.Path, null, () => summary);
        return new FinishedRun(folder, reportPath, summary)
        {
            TestEvalFolder = testFolder,
            TestAccuracy = testAccuracy,
            SummaryWarning = warning,
        };
    }

    /// <summary>
    /// The test folder of a train/val/test data folder (<see cref="TrainingData.TestFolder"/>), evaluated once with the
    /// best model into <c>eval-test/</c>: the held-out figure that neither training nor the choice of best.cls has seen.
    /// </summary>
    private (string? Folder, double? Accuracy) EvaluateTest(TrainResult result, CancellationToken cancellation)
    {
        var run = result.Run;
        if (TrainingData.TestFolder(result.Options) is not { } testDir || !File.Exists(run.BestModel)) return (null, null);
        var report = EvaluateBestModel(result, Data.DatasetScanner.Scan(testDir), split: null, testDir, cancellation);
        var folder = Path.Combine(run.Path, EvaluationOutputs.FolderPrefix + Data.SplitFolders.TestName);
        folder = EvaluationEnd.WriteFiles(report, output: null, defaultFolder: folder).Folder;
        return (folder, report.Result.Accuracy);
    }

    /// <summary>
    /// The best model of the run evaluated on <paramref name="data"/> as validation during training evaluates: on
    /// libtorch (so the validation figures repeat the best epoch's exactly), with the run's device, strictness, limits
    /// and validation batch size, and each image's overlap with the run's training files recorded.
    /// <paramref name="split"/> or <paramref name="dataDir"/> says which images these are.
    /// </summary>
    private EvaluationReport EvaluateBestModel(TrainResult result, Data.Dataset data, string? split, string? dataDir,
        CancellationToken cancellation)
    {
        var options = result.Options;
        var evalOptions = new EvalOptions
        {
            Model = result.Run.BestModel,
            Split = split,
            DataDir = dataDir,
            BatchSize = Trainer.ValidationBatchSize(options),
            Threads = options.Threads,
            MaxPixels = options.MaxPixels,
            Device = options.Device,
            Strict = options.Strict,
            Engine = Inference.InferenceEngine.Torch,
        };
        // The trainer's network and optimizer are freed by now: their blocks go back to the system before the
        // evaluation allocates its own (see NativeHeap).
        NativeHeap.ReleaseFreeMemory();
        var report = ModelEvaluation.Evaluate(result.Run.BestModel, data, evalOptions, cancellation: cancellation);
        return report with { Overlap = _files?.Overlap(data.Images.Select(i => i.Path)) };
    }
}
