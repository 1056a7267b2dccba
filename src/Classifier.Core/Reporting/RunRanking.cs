namespace Classifier.Core.Reporting;

/// <summary>
/// <c>classify runs</c>'s ranking: runs grouped by the data they trained on (runs on different data are never ranked
/// against each other), each group ranked by one metric. Without <c>--by</c> a group is ranked by its held-out test
/// evaluation (<c>eval:test</c>) when every run in it has one, else by the best epoch's validation accuracy: a test
/// set no run chose its epoch or options on is the fairer judge, but only when all runs were judged by it.
/// </summary>
public static class RunRanking
{
    /// <summary>Groups and ranks <paramref name="runs"/> by <paramref name="by"/>, or by each group's default when null.</summary>
    public static IReadOnlyList<RunGroup> Rank(IReadOnlyList<RunSummary> runs, RankMetric? by = null) =>
        runs.GroupBy(r => (r.DataFolder, r.ValidationFolder))
            .OrderBy(g => g.Key.DataFolder is null).ThenBy(g => g.Key.DataFolder, StringComparer.Ordinal)
            .ThenBy(g => g.Key.ValidationFolder, StringComparer.Ordinal)
            .Select(g => RankGroup(g.Key.DataFolder, g.Key.ValidationFolder, [.. g], by))
            .ToList();

    private static RunGroup RankGroup(string? data, string? validation, IReadOnlyList<RunSummary> runs, RankMetric? by)
    {
        var notes = new List<string>();
        var defaultEval = RankMetric.Eval(RankMetric.DefaultEvaluation);
        var metric = by ?? (runs.All(r => defaultEval.ValueOf(r) is not null) ? defaultEval : RankMetric.ValAccuracy);
        if (by is null && metric != defaultEval && runs.Count > 1 && runs.Any(r => defaultEval.ValueOf(r) is not null))
            notes.Add($"ranked by {metric.Name}: {Names(runs.Where(r => defaultEval.ValueOf(r) is null))} ha{(runs.Count(r => defaultEval.ValueOf(r) is null) == 1 ? "s" : "ve")} " +
                      $"no eval-{RankMetric.DefaultEvaluation}/ (classify eval --model RUN TEST_DIR writes it), so the runs' test accuracies cannot all be compared.");

        var scored = runs.Select(r => (Run: r, Score: metric.ValueOf(r))).ToList();
        var ranked = scored.Where(s => s.Score is not null)
            .OrderBy(s => metric.HigherIsBetter ? -s.Score!.Value : s.Score!.Value)
            .ThenBy(s => double.IsFinite(s.Run.Best.ValLoss) ? s.Run.Best.ValLoss : double.MaxValue)
            .ThenBy(s => s.Run.Folder, StringComparer.Ordinal)
            .Select((s, i) => new RankedRun(s.Run, i + 1, s.Score))
            .ToList();
        var unranked = scored.Where(s => s.Score is null).OrderBy(s => s.Run.Folder, StringComparer.Ordinal).Select(s => new RankedRun(s.Run, null, null)).ToList();
        if (unranked.Count > 0)
            notes.Add($"{Names(unranked.Select(r => r.Run))} ha{(unranked.Count == 1 ? "s" : "ve")} no {metric.Name}" +
                      (metric.Evaluation is { } name ? $" (no eval-{name}/metrics.json)" : "") + "; listed last, unranked.");

        if (metric.Evaluation is { } evaluation)
        {
            var folders = runs.Where(r => r.Evaluations.ContainsKey(evaluation)).GroupBy(r => r.Evaluations[evaluation].Data).ToList();
            if (folders.Count > 1)
                notes.Add($"the eval-{evaluation} accuracies come from different folders ({string.Join("; ", folders.Select(f => $"{f.Key}: {Names(f)}"))}), so they do not compare like for like.");
        }
        return new RunGroup(data, validation, metric, [.. ranked, .. unranked], RunSummary.DifferingOptions(runs), notes);
    }

    private static string Names(IEnumerable<RunSummary> runs) => string.Join(", ", runs.Select(r => Path.GetFileName(r.Folder)));
}
