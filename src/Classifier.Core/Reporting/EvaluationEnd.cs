using Classifier.Core.Evaluation;

namespace Classifier.Core.Reporting;

/// <summary>
/// The end of every evaluation, in one place: <c>classify eval</c>, <c>eval --merge</c>, each shard of
/// <c>eval --shard</c> and the end of training (<see cref="RunReport.Finish"/>) write the eval files here; a whole
/// evaluation then refreshes <c>report.html</c> and appends the CI job summary (<see cref="Publish"/>). The verbs
/// only say what was written.
/// </summary>
public static class EvaluationEnd
{
    /// <summary>
    /// Writes <paramref name="report"/>'s eval files: into <paramref name="output"/> when it is given (taken as it is,
    /// see <see cref="EvaluationFolder.WriteInto"/>); otherwise into <paramref name="defaultFolder"/> (by default
    /// <see cref="ModelEvaluation.DefaultFolder"/>, and for a shard its <see cref="ShardMerge.DefaultShardFolder"/> under
    /// it) or, when another data folder's evaluation holds that, the next free name.
    /// </summary>
    public static FinishedEvaluation WriteFiles(EvaluationReport report, string? output, int topErrors = EvaluationOutputs.DefaultTopErrors,
        string? defaultFolder = null)
    {
        if (output is not null) return new FinishedEvaluation(EvaluationFolder.WriteInto(report, output, topErrors));
        var wanted = defaultFolder ?? ModelEvaluation.DefaultFolder(report);
        Func<string, string>? place = report.Shard is { } part ? c => ShardMerge.DefaultShardFolder(c, part.Shard) : null;
        var folder = EvaluationFolder.WriteDefault(report, wanted, topErrors, place);
        var wantedPlace = Path.GetFullPath(place?.Invoke(Path.GetFullPath(wanted)) ?? wanted);
        return new FinishedEvaluation(folder) { Displaced = folder != wantedPlace ? wantedPlace : null };
    }

    /// <summary>
    /// The end of <c>classify eval</c> (and of <c>eval --merge</c>): the eval files (<see cref="WriteFiles"/>); then,
    /// for a whole evaluation, <c>report.html</c> beside the model, <paramref name="gate"/>'s verdict and the CI job
    /// summary. A shard's evaluation is only a part: it gets its files alone.
    /// </summary>
    public static FinishedEvaluation Finish(EvaluationReport report, string? output, int topErrors, QualityGate gate)
    {
        var written = WriteFiles(report, output, topErrors);
        if (report.Shard is not null) return written;
        var failures = gate.Failures(report.Result);
        var saved = SavedEvaluation.Of(report, Path.Combine(written.Folder, EvaluationOutputs.MetricsName));
        var (reportPath, warning) = Publish(Path.GetDirectoryName(report.ModelPath)!, [written.Folder],
            () => MarkdownSummary.ForEvaluation(saved, gate, failures));
        return written with { ReportPath = reportPath, GateFailures = failures, SummaryWarning = warning };
    }

    /// <summary>
    /// Writes <c>report.html</c> of <paramref name="folder"/> (a run folder, or the folder that holds a model file),
    /// listing <paramref name="evalFolders"/> besides its own, and appends <paramref name="summary"/> to the CI job summary.
    /// </summary>
    /// <returns>report.html, and the warning to show when the job summary could not be appended to.</returns>
    internal static (string ReportPath, string? SummaryWarning) Publish(string folder, IEnumerable<string>? evalFolders, Func<string> summary)
    {
        var reportPath = HtmlReport.Write(folder, evalFolders);
        return (reportPath, StepSummary.Append(summary));
    }
}
