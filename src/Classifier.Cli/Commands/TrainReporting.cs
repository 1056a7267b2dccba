using Classifier.Cli.Output;
using Classifier.Core;
using Classifier.Core.Evaluation;
using Classifier.Core.Reporting;
using Classifier.Core.Training;

namespace Classifier.Cli.Commands;

/// <summary>After training: the validation evaluation and report.html, the CI job summary, and where they are.</summary>
internal static class TrainReporting
{
    public static void Finish(Terminal terminal, TrainingReport report, TrainResult result, TrainOptions options, bool json,
        CancellationToken cancellation)
    {
        // With --log-format json, stdout holds only the epoch objects.
        var o = json ? terminal.Error : terminal.Out;
        string? evalFolder;
        string reportPath;
        try
        {
            (evalFolder, reportPath) = report.Finish(result, options, cancellation);
        }
        catch (ClassifierException e)
        {
            // The model and history are saved; a report that cannot be made must not turn the run into a failure.
            terminal.Error.WriteLine($"warning: the run's report could not be written: {e.Message}");
            return;
        }
        if (evalFolder is not null) o.WriteLine($"Eval:    {evalFolder}");
        o.WriteLine($"Report:  {reportPath}");
        StepSummary.Append(terminal, () =>
        {
            var metrics = evalFolder is null ? null : SavedEvaluation.Read(Path.Combine(evalFolder, EvaluationOutputs.MetricsName));
            return MarkdownSummary.ForTraining(result.Run.Path, result.History, result.BestEpoch, metrics);
        });
    }
}
