namespace Classifier.Core.Evaluation;

/// <summary>Macro (unweighted mean over classes) and support-weighted averages of per-class metrics.</summary>
public static class Averages
{
    /// <summary>
    /// Both averages; their <see cref="ClassMetrics.Support"/> is the total support. The macro average is taken over
    /// the classes that have images: a folder that holds only some of the model's classes (a new batch of one class,
    /// say) is not marked down for the classes it does not contain. With every class present this is the plain mean.
    /// </summary>
    public static (ClassMetrics Macro, ClassMetrics Weighted) Of(IReadOnlyList<ClassMetrics> perClass)
    {
        long support = perClass.Sum(m => m.Support);
        var present = perClass.Where(m => m.Support > 0).ToList();
        if (present.Count == 0) present = perClass.ToList();
        int n = Math.Max(1, present.Count);
        var macro = new ClassMetrics("macro avg", present.Sum(m => m.Precision) / n, present.Sum(m => m.Recall) / n,
            present.Sum(m => m.F1) / n, support);
        double w(Func<ClassMetrics, double> f) => support == 0 ? 0 : perClass.Sum(m => f(m) * m.Support) / support;
        var weighted = new ClassMetrics("weighted avg", w(m => m.Precision), w(m => m.Recall), w(m => m.F1), support);
        return (macro, weighted);
    }
}
