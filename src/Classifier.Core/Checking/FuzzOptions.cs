namespace Classifier.Core.Checking;

/// <summary>How <see cref="DecoderFuzzer"/> runs.</summary>
public sealed record FuzzOptions
{
    /// <summary>Mutated files to decode.</summary>
    public int Cases { get; init; } = 1000;

    /// <summary>Number of the first case (to replay a reported case: its number with <see cref="Cases"/> 1).</summary>
    public int FirstCase { get; init; }

    /// <summary>Seed of the mutations; case N of a seed is always the same bytes.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A case still decoding after this long counts as a hang.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Pixel limit of the decoder under test. Lower than training's default so that mutated headers claiming large
    /// sizes are still decoded (and fail on their data) quickly; the limit itself is tested separately.
    /// </summary>
    public long MaxPixels { get; init; } = 4_000_000;

    /// <summary>A case whose resident-memory peak grows more than this counts as a failure (Linux only).</summary>
    public long MemoryLimitBytes { get; init; } = 256L << 20;

    /// <summary>Checks value ranges; throws <see cref="ClassifierException"/> naming the option.</summary>
    public void Validate()
    {
        if (Cases < 1) throw new ClassifierException($"--cases {Cases}: give at least 1.");
        if (FirstCase < 0) throw new ClassifierException($"--first-case {FirstCase}: give 0 or more.");
        if (CaseTimeout <= TimeSpan.Zero) throw new ClassifierException("--timeout: give a positive number of seconds.");
        if (MaxPixels < 1) throw new ClassifierException($"--max-pixels {MaxPixels}: give a positive number.");
    }
}
