using Classifier.Core.Benchmarks;
using Classifier.Core.Torch;

namespace Classifier.Cli.Output;

/// <summary>The benchmark's figures as a table (one column per image size) or as JSON objects with the ratios.</summary>
internal static class BenchmarkTable
{
    public static void Write(TextWriter o, IReadOnlyList<BenchmarkResult> results)
    {
        var first = results[0];
        o.WriteLine($"classify benchmark: {first.Threads} thread(s), batch {first.BatchSize}, eval batch {first.EvaluationBatchSize}, cache {first.Cache}, {Environment.ProcessorCount} core(s), CPU: {CpuFeatures.Summary}" +
                    (OneDnnIsa.Setting is { } cap ? $" (oneDNN capped: {cap})" : "") +
                    (OpenMpWaiting.Choice?.Note is { Length: > 0 } waiting ? $"; OpenMP: {waiting}" : ""));
        o.WriteLine();
        const int label = 34, column = 26;
        o.WriteLine("images/s".PadRight(label) + string.Concat(results.Select(r => $"{r.ImageSize} px ({r.Images:N0} {r.SourceFormat})".PadLeft(column))));
        o.WriteLine("precision (--precision)".PadRight(label) + string.Concat(results.Select(r => r.Precision.PadLeft(column))));
        // " [1.85x]": a bf16 column's figure over the fp32 column's at the same size.
        string OverFp32(BenchmarkResult r, Func<BenchmarkResult, double> figure) =>
            r.Precision != "fp32" && results.FirstOrDefault(x => x.ImageSize == r.ImageSize && x.Precision == "fp32") is { } fp32
                ? $" [{figure(r) / figure(fp32):F2}x]" : "";
        void Row(string name, Func<BenchmarkResult, string> cell) =>
            o.WriteLine(name.PadRight(label) + string.Concat(results.Select(r => cell(r).PadLeft(column))));
        Row("decode + resize", r => $"{r.Decode:N0}");
        Row("train: synthetic (ceiling)", r => $"{r.TrainCeiling:N1}{OverFp32(r, x => x.TrainCeiling)}");
        Row("train: naive NCHW (reference)", r => $"{r.TrainNaive:N1}  ({r.TrainCeiling / r.TrainNaive:F2}x)");
        Row("train: first epoch from files", r => $"{r.TrainFirstEpoch:N1}  ({r.TrainFirstEpoch / r.TrainCeiling:F2})");
        Row("train: later epoch from files", r => $"{r.TrainEpoch:N1}  ({r.TrainEpoch / r.TrainCeiling:F2})");
        if (results.Any(r => r.FrozenFirstEpoch is not null))
        {
            Row("frozen backbone: first epoch", r => r.FrozenFirstEpoch is { } v ? $"{v:N1}" : "-");
            Row($"frozen backbone: later{(first.Cache == "none" ? " epochs" : " (cached)")}", r => r.FrozenLaterEpoch is { } v ? $"{v:N1}" : "-");
        }
        Row("inference: synthetic (ceiling)", r => $"{r.InferenceCeiling:N1}{OverFp32(r, x => x.InferenceCeiling)}");
        Row("evaluate from files", r => $"{r.Evaluate:N1}  ({r.Evaluate / r.InferenceCeiling:F2})");
        Row("inference engine (--engine)", r => r.Engine);
        Row("peak resident memory", r => $"{r.PeakResidentBytes / (1 << 20):N0} MiB");
        o.WriteLine();
        o.WriteLine("CPU time per image, us".PadRight(label) + string.Concat(results.Select(_ => "".PadLeft(column))));
        Row("decode + resize", r => $"{r.DecodeCpuMicroseconds:N1}");
        Row("inference: synthetic (ceiling)", r => $"{r.InferenceCpuMicroseconds:N1}");
        Row("evaluate from files", r => $"{r.EvaluateCpuMicroseconds:N1}");
        Row("evaluate: reachable share", r => $"{r.EvaluateBound:F2}");
        o.WriteLine();
        if (results.Any(r => r.Precision != "fp32"))
            o.WriteLine("[x] bf16 over fp32 at the same size (bf16: convolutions and matrix products in bfloat16, as torch.autocast).");
        o.WriteLine("(x) ceiling over the naive loop; (0.nn) share of the matching ceiling. Peak memory is the process's resident peak while that size ran.");
        if (results.Any(r => r.FrozenFirstEpoch is not null))
            o.WriteLine("Frozen backbone: --freeze backbone through the trainer, from files; its later epochs train the head on the features the first cached.");
        o.WriteLine("CPU time counts all threads. Reachable share: inference / (inference + decode), what evaluation from files");
        o.WriteLine("can reach when decoding and the network share cores the ceiling already keeps busy.");
    }

    public static Dictionary<string, object?> ToJson(BenchmarkResult r) => new()
    {
        ["precision"] = r.Precision,
        ["image_size"] = r.ImageSize,
        ["images"] = r.Images,
        ["source_format"] = r.SourceFormat,
        ["batch_size"] = r.BatchSize,
        ["eval_batch_size"] = r.EvaluationBatchSize,
        ["threads"] = r.Threads,
        ["cache"] = r.Cache,
        ["engine"] = r.Engine,
        ["decode_images_per_s"] = r.Decode,
        ["train_ceiling_images_per_s"] = r.TrainCeiling,
        ["train_naive_images_per_s"] = r.TrainNaive,
        ["train_first_epoch_images_per_s"] = r.TrainFirstEpoch,
        ["train_epoch_images_per_s"] = r.TrainEpoch,
        ["evaluate_images_per_s"] = r.Evaluate,
        ["inference_ceiling_images_per_s"] = r.InferenceCeiling,
        ["train_frozen_first_epoch_images_per_s"] = r.FrozenFirstEpoch,
        ["train_frozen_later_epoch_images_per_s"] = r.FrozenLaterEpoch,
        ["ceiling_over_naive"] = r.TrainCeiling / r.TrainNaive,
        ["first_epoch_over_ceiling"] = r.TrainFirstEpoch / r.TrainCeiling,
        ["epoch_over_ceiling"] = r.TrainEpoch / r.TrainCeiling,
        ["evaluate_over_inference_ceiling"] = r.Evaluate / r.InferenceCeiling,
        ["peak_resident_bytes"] = r.PeakResidentBytes,
        ["decode_cpu_us_per_image"] = r.DecodeCpuMicroseconds,
        ["inference_cpu_us_per_image"] = r.InferenceCpuMicroseconds,
        ["evaluate_cpu_us_per_image"] = r.EvaluateCpuMicroseconds,
        ["evaluate_reachable_share"] = r.EvaluateBound,
    };
}
