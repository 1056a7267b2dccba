namespace Classifier.Core.Reporting;

/// <summary>
/// Runs that trained on the same data (data and validation folders), ranked against each other; runs on other data
/// are in other groups and never ranked against these.
/// </summary>
/// <param name="DataFolder">The data folder (options.json's <c>data</c>), or null when the runs' options.json do not say.</param>
/// <param name="ValidationFolder">The validation folder (<c>val</c>), or null when validation was split off the data folder.</param>
/// <param name="Metric">What the group is ranked by.</param>
/// <param name="Runs">The runs, best first; those without the metric last, unranked.</param>
/// <param name="DifferingOptions">The options whose values differ inside the group, in options.json order (the output folder left out).</param>
/// <param name="Notes">What a reader of the ranking should know: runs left unranked, a default that fell back, evaluations of different folders.</param>
public sealed record RunGroup(
    string? DataFolder, string? ValidationFolder, RankMetric Metric, IReadOnlyList<RankedRun> Runs,
    IReadOnlyList<string> DifferingOptions, IReadOnlyList<string> Notes);
