namespace Classifier.Core.Reporting;

/// <summary>What the end of a training run wrote (see <see cref="RunReport.Finish"/>).</summary>
/// <param name="EvalFolder">The validation evaluation's folder, or null when there was nothing to evaluate.</param>
/// <param name="ReportPath">report.html.</param>
/// <param name="StepSummary">The Markdown summary for a CI job page (appended to <c>GITHUB_STEP_SUMMARY</c> when it is set).</param>
public sealed record FinishedRun(string? EvalFolder, string ReportPath, string StepSummary)
{
    /// <summary>The test folder's evaluation (<c>eval-test/</c>) of a train/val/test data folder, or null.</summary>
    public string? TestEvalFolder { get; init; }

    /// <summary>The best model's accuracy on the test folder, or null without one.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>The warning to show when the CI job summary could not be appended to; null otherwise.</summary>
    public string? SummaryWarning { get; init; }
}
