using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Diagnostics;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// A training run as the console sees it: the live view (or the JSON epoch log), TensorBoard events and the run's
/// report files while it trains; after it, the closing lines, the end of the run (<see cref="RunReport.Finish"/>:
/// validation evaluation, report.html, CI summary) and where everything is.
/// </summary>
internal sealed class TrainSession(Terminal terminal, bool json, TensorBoardObserver? tensorBoard)
{
    private readonly TrainingView _view = new(terminal);
    private readonly RunReport _report = new();

    /// <summary>Runs <paramref name="train"/> with the observers and finishes the run; returns the exit code.</summary>
    public int Train(Func<ITrainingObserver, TrainResult> train, CancellationToken cancellation)
    {
        ITrainingObserver display = json ? new JsonEpochLog(terminal) : _view;
        var observers = new List<ITrainingObserver> { display, _report, new DownloadObserver(new DownloadView(terminal)) };
        if (tensorBoard is not null) observers.Add(tensorBoard);
        TrainResult result;
        try
        {
            result = train(new CompositeObserver([.. observers]));
        }
        catch (OperationCanceledException)
        {
            var run = _report.RunPath;
            terminal.Error.WriteLine(run is null
                ? "Interrupted before the first checkpoint."
                : $"Interrupted: the position is saved in {Path.Combine(run, RunFolder.LastModelName)}; continue with: classify train --resume {run}");
            throw;
        }
        // With --log-format json, stdout holds only the epoch objects.
        var o = json ? terminal.Error : terminal.Out;
        Finish(result, o, cancellation);
        WriteCosts(o, result);
        if (tensorBoard?.RunLogDir is { } runLogDir)
            o.WriteLine($"TensorBoard: {Path.GetFullPath(runLogDir)} (tensorboard --logdir {Path.GetFullPath(Path.GetDirectoryName(runLogDir)!)})");
        return ExitCodes.Ok;
    }

    private void Finish(TrainResult result, TextWriter o, CancellationToken cancellation)
    {
        FinishedRun finished;
        try
        {
            finished = _report.Finish(result, cancellation);
        }
        catch (ClassifierException e)
        {
            // The model and history are saved; a report that cannot be made must not turn the run into a failure.
            terminal.Error.WriteLine($"warning: the run's report could not be written: {e.Message}");
            return;
        }
        if (finished.EvalFolder is not null) o.WriteLine($"Eval:    {finished.EvalFolder}");
        if (finished.TestEvalFolder is not null) o.WriteLine($"Test:    {finished.TestEvalFolder} (accuracy {finished.TestAccuracy:0.0000} on the held-out test/ images)");
        o.WriteLine($"Report:  {finished.ReportPath}");
        if (finished.SummaryWarning is { } warning) terminal.Error.WriteLine(warning);
    }

    /// <summary>
    /// What the run cost: its folder on disk (checkpoints dominate), with the option that sets the size of last.cls, and
    /// the process's peak resident memory.
    /// </summary>
    private static void WriteCosts(TextWriter o, TrainResult result)
    {
        long folder = FolderSize.Bytes(result.Run.Path);
        var last = new FileInfo(result.Run.LastModel);
        o.WriteLine($"Disk:    {ByteSize.Format(folder)} in the run folder" +
                    (!last.Exists ? ""
                        : result.Options.KeepOptimizer
                            ? $" ({RunFolder.LastModelName} {ByteSize.Format(last.Length)}: weights and Adam's state; drop --keep-optimizer to shrink it)"
                            : $" ({RunFolder.LastModelName} {ByteSize.Format(last.Length)}: final weights; --keep-optimizer adds Adam's state)"));
        o.WriteLine($"Memory:  {ByteSize.Format(ProcessMemory.PeakBytes)} peak resident");
    }

    /// <summary>Shows a weights download before training; every other event is for the other observers.</summary>
    private sealed class DownloadObserver(DownloadView view) : ITrainingObserver
    {
        public void OnWeightsDownload(Core.Model.Zoo.DownloadProgress progress) => view.Report(progress);
    }
}
