namespace Classifier.Core.Benchmarks;

/// <summary>Throughput figures for one image size, in images per second, and the process's peak memory.</summary>
/// <param name="ImageSize">Network input side, px.</param>
/// <param name="Images">Training images generated.</param>
/// <param name="SourceFormat">"jpeg ~320x240" or "png".</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="EvaluationBatchSize">Evaluation batch size.</param>
/// <param name="Threads">libtorch threads.</param>
/// <param name="Cache">Cache mode of the training rows.</param>
/// <param name="Decode">Decode + resize alone, through the batch loader, no network.</param>
/// <param name="TrainCeiling">Training steps on synthetic uint8 batches (the compute ceiling).</param>
/// <param name="TrainNaive">The same steps fed a contiguous NCHW float batch built in managed code (the reference).</param>
/// <param name="TrainFirstEpoch">First training epoch from files (nothing cached yet).</param>
/// <param name="TrainEpoch">A later training epoch from files (cache warm, if caching).</param>
/// <param name="Evaluate">Evaluation from files.</param>
/// <param name="InferenceCeiling">Inference on synthetic batches.</param>
/// <param name="PeakResidentBytes">Peak resident memory of the process while this size was measured (on Linux; elsewhere the process's peak so far).</param>
public sealed record BenchmarkResult(int ImageSize, int Images, string SourceFormat, int BatchSize, int EvaluationBatchSize,
    int Threads, string Cache, double Decode, double TrainCeiling, double TrainNaive, double TrainFirstEpoch, double TrainEpoch,
    double Evaluate, double InferenceCeiling, long PeakResidentBytes)
{
    /// <summary>Process CPU time (all threads) per image of the decode row, in microseconds.</summary>
    public double DecodeCpuMicroseconds { get; init; }

    /// <summary>Process CPU time per image of evaluation from files, in microseconds.</summary>
    public double EvaluateCpuMicroseconds { get; init; }

    /// <summary>Process CPU time per image of the inference ceiling, in microseconds.</summary>
    public double InferenceCpuMicroseconds { get; init; }

    /// <summary>The engine of the evaluation and inference rows: <c>torch</c> or <c>onnx</c>.</summary>
    public string Engine { get; init; } = "torch";

    /// <summary>The precision of the training and libtorch inference rows: <c>fp32</c> or <c>bf16</c>.</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>
    /// First epoch of training with a frozen backbone (<c>--freeze backbone</c>) from files, which also records the
    /// backbone's features; null for a network without a separable head.
    /// </summary>
    public double? FrozenFirstEpoch { get; init; }

    /// <summary>
    /// Median of the later frozen-backbone epochs: the head alone on the cached features (unless <c>--cache none</c>, or
    /// the budget is too small to hold them all; then the whole network from files, as the trainer does).
    /// </summary>
    public double? FrozenLaterEpoch { get; init; }

    /// <summary>
    /// What evaluation from files can reach, as a share of the inference ceiling, when decoding and inference take
    /// their measured CPU time from the same cores and the ceiling already keeps them busy: inference / (inference +
    /// decode). Spinning threads count as busy, so this is an estimate, not a hard limit.
    /// </summary>
    public double EvaluateBound => InferenceCpuMicroseconds / (InferenceCpuMicroseconds + DecodeCpuMicroseconds);
}
