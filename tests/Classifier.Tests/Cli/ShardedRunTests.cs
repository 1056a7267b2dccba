using System.Text.Json;
using System.Text.Json.Nodes;
using Classifier.Cli;
using Classifier.Core.Evaluation;
using Classifier.Tests.Support;

namespace Classifier.Tests.Cli;

/// <summary>
/// predict and eval run as N copies the way Kubernetes Indexed Jobs and Slurm arrays run them (only the engine's
/// environment variables differ between copies), then the shards are added up and compared with one unsharded run.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class ShardedRunTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task PredictShards_AsKubernetesRunsThem_AreDisjointAndTheirRowsAreTheUnshardedRows(int count)
    {
        var whole = await CliRun.Of("predict", "--model", sample.Run, SampleRunFixture.Val, "--format", "csv", "--top-k", "3");
        Assert.True(whole.ExitCode == 0, whole.ToString());

        var shards = new List<string[]>();
        for (int k = 0; k < count; k++)
        {
            var run = await WithEnvironment([("JOB_COMPLETION_INDEX", k.ToString())],
                () => CliRun.Of("predict", "--model", sample.Run, SampleRunFixture.Val, "--format", "csv", "--top-k", "3", "--shard", $"auto/{count}"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"shard {k}/{count} (counted from 0)", run.Error);
            shards.Add(Rows(run.Out));
        }

        var wholeRows = Rows(whole.Out);
        Assert.Equal(300, wholeRows.Length);
        var union = shards.SelectMany(r => r).ToList();
        var paths = union.Select(r => r.Split(',')[0]).ToList();
        Assert.Equal(paths.Count, paths.Distinct().Count());       // disjoint
        Assert.Equal(wholeRows.Order(StringComparer.Ordinal), union.Order(StringComparer.Ordinal)); // complete, same values
        if (count > 1) Assert.All(shards, rows => Assert.InRange(rows.Length, 1, 299));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task EvalShards_AsASlurmArrayRunsThem_MergeIntoExactlyTheUnshardedEvaluation(int count)
    {
        var whole = _dir.Combine("whole");
        var eval = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", whole, "--top-k", "3");
        Assert.True(eval.ExitCode == 0, eval.ToString());

        // sbatch --array=1-N: task ids from 1, so the index is SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN.
        long shardImages = 0;
        for (int k = 0; k < count; k++)
        {
            var run = await WithEnvironment(
                [("SLURM_ARRAY_TASK_ID", (k + 1).ToString()), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", count.ToString())],
                () => CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", _dir.Combine("shards", $"shard-{k}"),
                    "--top-k", "3", "--shard", "auto"));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"Shard {k}/{count} (counted from 0)", run.Out);
            shardImages += SavedEvaluation.Read(_dir.Combine("shards", $"shard-{k}", EvaluationOutputs.MetricsName)).Images;
        }
        Assert.Equal(300, shardImages);

        var merged = _dir.Combine("merged");
        var merge = await CliRun.Of("eval", "--merge", _dir.Combine("shards"), "-o", merged);
        Assert.True(merge.ExitCode == 0, merge.ToString());

        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(whole, EvaluationOutputs.MetricsName)))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(merged, EvaluationOutputs.MetricsName)))!.AsObject();
        Assert.Equal(expected.Select(p => p.Key), actual.Select(p => p.Key));
        foreach (var (key, value) in expected)
        {
            if (key is "seconds") continue;
            if (key is "loss" or "loss_sum")
                Assert.Equal(value!.GetValue<double>(), actual[key]!.GetValue<double>(), 1e-9);
            else
                Assert.True(JsonNode.DeepEquals(value, actual[key]), $"{key}: {value?.ToJsonString()} != {actual[key]?.ToJsonString()}");
        }
        Assert.Equal(File.ReadAllText(Path.Combine(whole, EvaluationOutputs.MisclassifiedName)),
            File.ReadAllText(Path.Combine(merged, EvaluationOutputs.MisclassifiedName)));
        foreach (var png in new[] { EvaluationOutputs.ConfusionMatrixName, EvaluationOutputs.ConfusionMatrixNormalizedName, EvaluationOutputs.TopErrorsName })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, png)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(merged, png))), png);
        // The table a user reads is the same too, but for the paths and the timing.
        Assert.Equal(TableLines(eval.Out, whole), TableLines(merge.Out, merged));
    }

    [Fact]
    public async Task Merge_WithAShardMissingOrGivenTwice_IsRefusedNamingTheShards()
    {
        var shards = await EvalShards(3);

        var missing = await CliRun.Of("eval", "--merge", shards[0], shards[2], "-o", _dir.Combine("m1"));
        var twice = await CliRun.Of("eval", "--merge", shards[0], shards[1], shards[1], shards[2], "-o", _dir.Combine("m2"));
        var notAShard = await CliRun.Of("eval", "--merge", shards[0], Path.Combine(sample.Run, "eval-val"), "-o", _dir.Combine("m3"));

        Assert.Equal(ExitCodes.InputError, missing.ExitCode);
        Assert.Contains("1 of 3 shard(s) missing (index from 0: 1)", missing.Error);
        Assert.Equal(ExitCodes.InputError, twice.ExitCode);
        Assert.Contains("shard 1/3 is given twice", twice.Error);
        Assert.Equal(ExitCodes.InputError, notAShard.ExitCode);
        Assert.Contains("is not a shard's metrics.json", notAShard.Error);
        Assert.False(Directory.Exists(_dir.Combine("m1")));
    }

    [Fact]
    public async Task Merge_TakesTheGate_WhileAShardRefusesIt()
    {
        var shards = await EvalShards(2);

        var gated = await CliRun.Of("eval", "--merge", shards[0], shards[1], "-o", _dir.Combine("m"), "--min-accuracy", "0.999");
        var shardGate = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "--shard", "0/2", "--min-accuracy", "0.5");
        var withData = await CliRun.Of("eval", SampleRunFixture.Val, "--merge", shards[0]);

        Assert.Equal(ExitCodes.BelowThreshold, gated.ExitCode);
        Assert.Contains("Gate failed: accuracy", gated.Error);
        Assert.Equal(ExitCodes.InputError, shardGate.ExitCode);
        Assert.Contains("--merge", shardGate.Error);
        Assert.Equal(ExitCodes.Usage, withData.ExitCode);
        Assert.Contains("give no DATA_DIR", withData.Error);
    }

    [Fact]
    public async Task ShardAuto_WithoutAnEngine_ExitsTwoNamingTheVariables()
    {
        var run = await WithEnvironment([("JOB_COMPLETION_INDEX", null), ("SLURM_ARRAY_TASK_ID", null)],
            () => CliRun.Of("predict", "--model", sample.Run, SampleRunFixture.Val, "--shard", "auto"));

        Assert.Equal(ExitCodes.InputError, run.ExitCode);
        Assert.Contains("neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set", run.Error);
        Assert.Equal("", run.Out);
    }

    private async Task<string[]> EvalShards(int count)
    {
        var folders = new string[count];
        for (int k = 0; k < count; k++)
        {
            folders[k] = _dir.Combine($"of{count}", $"shard-{k}");
            var run = await CliRun.Of("eval", "--model", sample.Run, SampleRunFixture.Val, "-o", folders[k], "--top-errors", "0",
                "--shard", $"{k}/{count}");
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        return folders;
    }

    private static string[] Rows(string csv) => csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();

    private static IEnumerable<string> TableLines(string output, string folder) =>
        output.Split('\n').Where(l => !l.Contains(folder) && !l.StartsWith("Report:") && !l.Contains("seconds") && !l.StartsWith("Time"));

    /// <summary>Runs <paramref name="body"/> with the given environment variables (null unsets), restoring them after.</summary>
    internal static async Task<T> WithEnvironment<T>((string Name, string? Value)[] variables, Func<Task<T>> body)
    {
        var previous = variables.Select(v => (v.Name, Value: Environment.GetEnvironmentVariable(v.Name))).ToList();
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await body();
        }
        finally
        {
            foreach (var (name, value) in previous) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
