using Classifier.Cli.Output;
using Classifier.Core.Diagnostics;
using Classifier.Core.Reporting;
using Classifier.Core.Runs;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>
/// Everything a training run shows and writes besides the trainer's own files: the console view (or the JSON epoch
/// log), TensorBoard events, and after training the validation evaluation, report.html and the CI summary.
/// </summary>
internal sealed class TrainOutputs(Terminal terminal, bool json, TensorBoardObserver? tensorBoard)
{
    private readonly TrainingView _view = new(terminal);
    private readonly TrainingReport _report = new();

    /// <summary>Runs <paramref name="train"/> with the observers and finishes the outputs; returns the exit code.</summary>
    public int Train(Func<ITrainingObserver, TrainResult> train, CancellationToken cancellation)
    {
        ITrainingObserver display = json ? new JsonEpochLog(terminal) : _view;
        var observers = new List<ITrainingObserver> { display, _report };
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
        if (!json) _view.PrintSummary(result);
        var options = TrainOptionsFile.Read(result.Run.Options);
        TrainReporting.Finish(terminal, _report, result, options, json, cancellation);
        WriteCosts(json ? terminal.Error : terminal.Out, result);
        if (tensorBoard?.RunLogDir is { } runLogDir)
            (json ? terminal.Error : terminal.Out).WriteLine(
                $"TensorBoard: {Path.GetFullPath(runLogDir)} (tensorboard --logdir {Path.GetFullPath(Path.GetDirectoryName(runLogDir)!)})");
        return ExitCodes.Ok;
    }

    /// <summary>What the run cost: its folder on disk (checkpoints dominate) and the process's peak resident memory.</summary>
    private static void WriteCosts(TextWriter o, TrainResult result)
    {
        long folder = FolderSize.Bytes(result.Run.Path);
        var last = new FileInfo(result.Run.LastModel);
        o.WriteLine($"Disk:    {ByteSize.Format(folder)} in the run folder" +
                    (last.Exists ? $" ({RunFolder.LastModelName} {ByteSize.Format(last.Length)}: weights and optimizer state for --resume)" : ""));
        o.WriteLine($"Memory:  {ByteSize.Format(ProcessMemory.PeakBytes)} peak resident");
    }
}
