namespace Classifier.Core.Reporting;

/// <summary>What the end of a training run wrote (see <see cref="RunReport.Finish"/>).</summary>
/// <param name="EvalFolder">The validation evaluation's folder, or null when there was nothing to evaluate.</param>
/// <param name="ReportPath">report.html.</param>
/// <param name="StepSummary">The Markdown summary for a CI job page.</param>
public sealed record FinishedRun(string? EvalFolder, string ReportPath, string StepSummary);
