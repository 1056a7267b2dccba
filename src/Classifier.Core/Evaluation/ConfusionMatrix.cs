namespace Classifier.Core.Evaluation;

/// <summary>Counts of (true class, predicted class) pairs; rows are true classes, columns predictions.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>An empty matrix for <paramref name="classNames"/>.</summary>
    public ConfusionMatrix(IReadOnlyList<string> classNames)
    {
        ClassNames = classNames;
        _counts = new long[classNames.Count, classNames.Count];
    }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int Size => ClassNames.Count;

    /// <summary>Count of images of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>Total number of images counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one prediction.</summary>
    public void Add(int actual, int predicted)
    {
        _counts[actual, predicted]++;
        Total++;
    }

    /// <summary>Counts <paramref name="count"/> predictions of one (true, predicted) pair, e.g. a shard's cell.</summary>
    public void Add(int actual, int predicted, long count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "A count cannot be negative.");
        _counts[actual, predicted] += count;
        Total += count;
    }

    /// <summary>Fraction of images predicted correctly (0 for an empty matrix).</summary>
    public double Accuracy()
    {
        long correct = 0;
        for (int i = 0; i < Size; i++) correct += _counts[i, i];
        return Total == 0 ? 0 : (double)correct / Total;
    }

    /// <summary>Per-class precision, recall, F1 and support.</summary>
    public IReadOnlyList<ClassMetrics> PerClass()
    {
        var result = new List<ClassMetrics>(Size);
        for (int c = 0; c < Size; c++)
        {
            long truePositive = _counts[c, c], predicted = 0, actual = 0;
            for (int k = 0; k < Size; k++)
            {
                predicted += _counts[k, c];
                actual += _counts[c, k];
            }
            double precision = predicted == 0 ? 0 : (double)truePositive / predicted;
            double recall = actual == 0 ? 0 : (double)truePositive / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            result.Add(new ClassMetrics(ClassNames[c], precision, recall, f1, actual));
        }
        return result;
    }

    /// <summary>The counts as a jagged array (rows = true classes), for JSON and plotting.</summary>
    public long[][] ToRows()
    {
        var rows = new long[Size][];
        for (int r = 0; r < Size; r++)
        {
            rows[r] = new long[Size];
            for (int c = 0; c < Size; c++) rows[r][c] = _counts[r, c];
        }
        return rows;
    }
}
