using Classifier.Core.Runs;

namespace Classifier.Core.Plotting;

/// <summary>A run's history under the name its lines get in a legend.</summary>
/// <param name="Name">Legend name (usually the run folder's name).</param>
/// <param name="Rows">The run's epochs.</param>
public sealed record RunHistory(string Name, IReadOnlyList<HistoryRow> Rows);
