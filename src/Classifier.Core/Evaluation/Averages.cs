namespace Classifier.Core.Evaluation;

/// <summary>Macro (unweighted mean over classes) and support-weighted averages of per-class metrics.</summary>
public static class Averages
{
    /// <summary>Both averages; their <see cref="ClassMetrics.Support"/> is the total support.</summary>
    public static (ClassMetrics Macro, ClassMetrics Weighted) Of(IReadOnlyList<ClassMetrics> perClass)
    {
        long support = perClass.Sum(m => m.Support);
        int n = Math.Max(1, perClass.Count);
        var macro = new ClassMetrics("macro avg", perClass.Sum(m => m.Precision) / n, perClass.Sum(m => m.Recall) / n,
            perClass.Sum(m => m.F1) / n, support);
        double w(Func<ClassMetrics, double> f) => support == 0 ? 0 : perClass.Sum(m => f(m) * m.Support) / support;
        var weighted = new ClassMetrics("weighted avg", w(m => m.Precision), w(m => m.Recall), w(m => m.F1), support);
        return (macro, weighted);
    }
}
