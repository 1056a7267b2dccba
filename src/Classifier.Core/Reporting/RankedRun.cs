namespace Classifier.Core.Reporting;

/// <summary>A run in its group's ranking.</summary>
/// <param name="Run">The run.</param>
/// <param name="Rank">1 for the best of its group; null when the run lacks the group's metric (listed last).</param>
/// <param name="Score">The run's value of the group's metric, or null when it lacks it.</param>
public sealed record RankedRun(RunSummary Run, int? Rank, double? Score);
