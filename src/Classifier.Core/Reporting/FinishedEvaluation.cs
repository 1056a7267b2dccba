namespace Classifier.Core.Reporting;

/// <summary>What the end of an evaluation wrote (see <see cref="EvaluationEnd"/>), for the verb to say.</summary>
/// <param name="Folder">The eval folder written (full path).</param>
public sealed record FinishedEvaluation(string Folder)
{
    /// <summary>
    /// The default folder when it held another data folder's evaluation (or another eval was writing it) and the files
    /// went to <see cref="Folder"/> instead; null otherwise.
    /// </summary>
    public string? Displaced { get; init; }

    /// <summary>report.html, when the evaluation refreshed it (not a shard's, which is only a part).</summary>
    public string? ReportPath { get; init; }

    /// <summary>Why the evaluation fails the gate, one line each; empty when it passes or no gate was set.</summary>
    public IReadOnlyList<string> GateFailures { get; init; } = [];

    /// <summary>The warning to show when the CI job summary could not be appended to; null otherwise.</summary>
    public string? SummaryWarning { get; init; }
}
