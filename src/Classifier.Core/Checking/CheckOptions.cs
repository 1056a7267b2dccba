using Classifier.Core.Data;

namespace Classifier.Core.Checking;

/// <summary>What <c>classify check</c> audits and the thresholds it warns at.</summary>
public sealed record CheckOptions
{
    /// <summary>Data folder: one sub-folder per class, or train/ and val/ folders that each have them.</summary>
    public required string DataDir { get; init; }

    /// <summary>Separate validation folder; null to use the data folder's own train/ and val/ folders if it has them.</summary>
    public string? ValidationDir { get; init; }

    /// <summary>Largest width x height accepted, as in training (<c>--max-pixels</c>).</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Images with a side shorter than this many pixels are reported as tiny (a warning).</summary>
    public int MinimumSide { get; init; } = 16;

    /// <summary>A folder whose largest class has at least this many times the images of its smallest is reported as imbalanced (a warning).</summary>
    public double ImbalanceRatio { get; init; } = 10;

    /// <summary>Files inspected at once; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
        if (MinimumSide < 0) throw new ClassifierException($"--min-side {MinimumSide}: give 0 (no check) or a positive number of pixels.");
        if (!(ImbalanceRatio >= 1)) throw new ClassifierException($"--imbalance-ratio {ImbalanceRatio}: give a ratio of at least 1, e.g. 10.");
        if (Threads < 0) throw new ClassifierException($"--threads {Threads}: give 0 (all cores) or a positive count.");
    }
}
