namespace Classifier.Core.Reporting;

/// <summary>
/// What <c>classify runs</c> ranks a group of runs by (<c>--by</c>): the best epoch's <c>val_accuracy</c> or
/// <c>val_loss</c> (history.csv), or <c>eval:NAME</c>, the accuracy in the run's <c>eval-NAME/metrics.json</c> (an
/// evaluation on held-out images, e.g. <c>eval-test</c> after <c>classify eval --model RUN data/test</c>).
/// </summary>
public sealed record RankMetric
{
    /// <summary>The prefix of an evaluation metric: <c>eval:test</c>.</summary>
    public const string EvalPrefix = "eval:";

    /// <summary>The evaluation <c>classify runs</c> ranks by when every run of a group has it.</summary>
    public const string DefaultEvaluation = "test";

    private RankMetric(string name, string? evaluation)
    {
        Name = name;
        Evaluation = evaluation;
    }

    /// <summary>The best epoch's validation accuracy, highest first.</summary>
    public static RankMetric ValAccuracy { get; } = new("val_accuracy", null);

    /// <summary>The best epoch's validation loss, lowest first.</summary>
    public static RankMetric ValLoss { get; } = new("val_loss", null);

    /// <summary>The metric as <c>--by</c> takes it: <c>val_accuracy</c>, <c>val_loss</c> or <c>eval:NAME</c>.</summary>
    public string Name { get; }

    /// <summary>The evaluation's name (<c>test</c> for <c>eval-test/</c>), or null for a history.csv metric.</summary>
    public string? Evaluation { get; }

    /// <summary>True when a higher value ranks first (accuracies), false for the loss.</summary>
    public bool HigherIsBetter => Name != ValLoss.Name;

    /// <summary>The accuracy of the run's <c>eval-<paramref name="name"/>/metrics.json</c>.</summary>
    public static RankMetric Eval(string name) => new(EvalPrefix + name, name);

    /// <summary>Reads <c>--by</c>'s value; anything else is a <see cref="ClassifierException"/> listing the choices.</summary>
    public static RankMetric Parse(string text)
    {
        if (text == ValAccuracy.Name) return ValAccuracy;
        if (text == ValLoss.Name) return ValLoss;
        if (text.StartsWith(EvalPrefix, StringComparison.Ordinal) && text.Length > EvalPrefix.Length
            && text[EvalPrefix.Length..].IndexOfAny(['/', '\\']) < 0)
            return Eval(text[EvalPrefix.Length..]);
        throw new ClassifierException(
            $"--by '{text}' is not a metric; give val_accuracy, val_loss or eval:NAME (the accuracy in each run's eval-NAME/metrics.json, e.g. eval:test).");
    }

    /// <summary>The run's value of this metric, or null when it has none (no such evaluation, or no finite figure).</summary>
    public double? ValueOf(RunSummary run)
    {
        double value = Evaluation is { } name
            ? run.Evaluations.TryGetValue(name, out var evaluation) ? evaluation.Accuracy : double.NaN
            : HigherIsBetter ? run.Best.ValAccuracy : run.Best.ValLoss;
        return double.IsFinite(value) ? value : null;
    }

    /// <summary>What the metric is, in words: "eval:test (eval-test/metrics.json accuracy, highest first)".</summary>
    public string Describe() => Evaluation is { } name
        ? $"{Name} ({Classifier.Core.Evaluation.EvaluationOutputs.FolderPrefix}{name}/metrics.json accuracy, highest first)"
        : $"{Name} (the best epoch's, {(HigherIsBetter ? "highest" : "lowest")} first)";

    /// <inheritdoc/>
    public override string ToString() => Name;
}
