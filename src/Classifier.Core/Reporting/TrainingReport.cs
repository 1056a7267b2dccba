using Classifier.Core.Data;
using Classifier.Core.Evaluation;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using Classifier.Core.Training;

namespace Classifier.Core.Reporting;

/// <summary>
/// The report side of a training run. As an observer it saves <c>dataset.json</c> when training starts; after
/// training, <see cref="Finish"/> evaluates the best model on the validation images (writing the usual eval files into
/// <c>eval-&lt;validation folder&gt;</c>, or <c>eval-validation-split</c> for a split) and writes <c>report.html</c>.
/// </summary>
public sealed class TrainingReport : ITrainingObserver
{
    /// <summary>Eval folder name used when the validation images are a split of the training folder.</summary>
    public const string SplitFolderName = EvaluationOutputs.FolderPrefix + "validation-split";

    private Dataset? _validation;
    private Dataset? _train;

    /// <summary>The run folder, once training has started.</summary>
    public string? RunPath { get; private set; }

    /// <inheritdoc />
    public void OnTrainingStarted(TrainingStarted start)
    {
        RunPath = start.Run.Path;
        _train = start.Train;
        _validation = start.Validation;
        DatasetSummary.From(start).Write(start.Run.Path);
    }

    /// <inheritdoc />
    public void OnBatchCompleted(BatchProgress progress)
    {
    }

    /// <inheritdoc />
    public void OnEpochCompleted(HistoryRow row, bool isBest)
    {
    }

    /// <inheritdoc />
    public void OnImageSkipped(string path, string reason)
    {
    }

    /// <summary>
    /// Evaluates the run's best model on the validation images and writes the eval files and report.html.
    /// Returns the evaluation's folder (null if training never started) and the report's path.
    /// </summary>
    public (string? EvalFolder, string ReportPath) Finish(TrainResult result, TrainOptions options, CancellationToken cancellation = default)
    {
        string? folder = null;
        if (_validation is { Images.Count: > 0 } validation && File.Exists(result.Run.BestModel))
        {
            bool isSplit = _train is not null && _train.Root == validation.Root;
            folder = Path.Combine(result.Run.Path,
                isSplit ? SplitFolderName : EvaluationOutputs.FolderPrefix + EvaluationOutputs.FolderName(validation.Root));
            var evalOptions = new EvalOptions
            {
                Model = result.Run.BestModel,
                DataDir = validation.Root,
                BatchSize = options.BatchSize, // as validation during training, so this pass never sets a new peak
                Threads = options.Threads,
                MaxPixels = options.MaxPixels,
            };
            // The trainer's network and optimizer are freed by now: their blocks go back to the system before the
            // evaluation allocates its own (see NativeHeap).
            NativeHeap.ReleaseFreeMemory();
            var report = ModelEvaluation.Evaluate(result.Run.BestModel, validation, evalOptions, cancellation: cancellation);
            EvaluationOutputs.Write(report, folder);
        }
        return (folder, HtmlReport.Write(result.Run.Path));
    }
}
