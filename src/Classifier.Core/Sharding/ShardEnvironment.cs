using System.Globalization;

namespace Classifier.Core.Sharding;

/// <summary>
/// <c>--shard auto</c>: the shard from the environment of the engine that runs N copies of a command.
/// <list type="bullet">
/// <item>Kubernetes Indexed Job: <c>JOB_COMPLETION_INDEX</c> (0 to completions-1) is the index. A pod is not told
/// the Job's <c>completions</c>, so the count is given: <c>--shard auto/N</c> with N = <c>completions</c>.</item>
/// <item>Slurm job array: index = (<c>SLURM_ARRAY_TASK_ID</c> - <c>SLURM_ARRAY_TASK_MIN</c>) / <c>SLURM_ARRAY_TASK_STEP</c>,
/// count = <c>SLURM_ARRAY_TASK_COUNT</c>; so <c>--array=0-6</c>, <c>--array=1-7</c> and <c>--array=0-12:2</c> all
/// give shards 0 to 6 of 7. A count given as <c>auto/N</c> must agree.</item>
/// </list>
/// </summary>
public static class ShardEnvironment
{
    /// <summary>Kubernetes Indexed Job's index variable.</summary>
    public const string KubernetesIndex = "JOB_COMPLETION_INDEX";

    /// <summary>Slurm job array's task id.</summary>
    public const string SlurmTaskId = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm job array's number of tasks.</summary>
    public const string SlurmTaskCount = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm job array's lowest task id.</summary>
    public const string SlurmTaskMin = "SLURM_ARRAY_TASK_MIN";

    /// <summary>Slurm job array's step between task ids.</summary>
    public const string SlurmTaskStep = "SLURM_ARRAY_TASK_STEP";

    /// <summary>
    /// The shard of this process. <paramref name="count"/> is N of <c>auto/N</c>, or null for <c>auto</c>.
    /// Throws <see cref="ClassifierException"/> saying what is missing when no engine's variables are set.
    /// </summary>
    public static Shard Resolve(Func<string, string?> environment, int? count)
    {
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;
        var kubernetes = Get(KubernetesIndex);
        var slurm = Get(SlurmTaskId);
        if (kubernetes is not null && slurm is not null)
            throw new ClassifierException(
                $"--shard auto: both {KubernetesIndex} (Kubernetes) and {SlurmTaskId} (Slurm) are set; give --shard K/N.");
        if (kubernetes is not null)
        {
            int index = Number(KubernetesIndex, kubernetes);
            if (count is null)
                throw new ClassifierException(
                    $"--shard auto: {KubernetesIndex}={index} gives the index, but Kubernetes does not tell a pod its Job's " +
                    "completions; give --shard auto/N with N = the Job's spec.completions.");
            return Shard.Create(index, count.Value, $"--shard auto ({KubernetesIndex}={index}, N={count})");
        }
        if (slurm is not null)
        {
            int id = Number(SlurmTaskId, slurm);
            var countText = Get(SlurmTaskCount);
            if (countText is null)
                throw new ClassifierException(
                    $"--shard auto: {SlurmTaskId}={id} is set but {SlurmTaskCount} is not; give --shard K/N instead.");
            int total = Number(SlurmTaskCount, countText);
            int min = Get(SlurmTaskMin) is { } minText ? Number(SlurmTaskMin, minText) : 0;
            int step = Get(SlurmTaskStep) is { } stepText ? Math.Max(1, Number(SlurmTaskStep, stepText)) : 1;
            var source = $"--shard auto ({SlurmTaskId}={id}, {SlurmTaskMin}={min}, {SlurmTaskCount}={total})";
            if (count is { } given && given != total)
                throw new ClassifierException($"{source}: the array has {total} task(s) but --shard auto/{given} says {given}.");
            if (id < min || (id - min) % step != 0 || (id - min) / step >= total)
                throw new ClassifierException(
                    $"{source}: the array is not one evenly spaced range; use --array=0-{total - 1} (or 1-{total}).");
            return Shard.Create((id - min) / step, total, source);
        }
        throw new ClassifierException(
            $"--shard auto: neither {KubernetesIndex} (Kubernetes Indexed Job) nor {SlurmTaskId} (Slurm job array) is set. " +
            "Elsewhere give --shard K/N, K from 0 to N-1 (GitHub Actions: --shard ${{ strategy.job-index }}/${{ strategy.job-total }}).");
    }

    private static int Number(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ClassifierException($"--shard auto: {name}='{value}' is not a whole number.");
}
