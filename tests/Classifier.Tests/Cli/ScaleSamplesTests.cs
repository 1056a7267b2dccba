using System.Diagnostics;
using System.Text.RegularExpressions;
using Classifier.Core.Evaluation;
using Classifier.Core.Runs;
using Classifier.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Classifier.Tests.Cli;

/// <summary>
/// The examples in samples/scale/ parse as their engines read them, and run here as the engines would run them: the
/// same commands, one process per index with the engine's environment variables, the shared volume a temp folder.
/// </summary>
[Collection(SampleRunCollection.Name)]
public sealed class ScaleSamplesTests(SampleRunFixture sample) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Samples => Path.Combine(Path.GetDirectoryName(SampleData.FashionMini)!, "scale");

    private static string Repository => Path.GetDirectoryName(Path.GetDirectoryName(SampleData.FashionMini))!;

    [Fact]
    public void KubernetesManifest_IsAnIndexedJob_WhoseShardCountIsItsCompletions()
    {
        var job = Yaml("k8s-predict-indexed-job.yaml");

        Assert.Equal("batch/v1", Text(job, "apiVersion"));
        Assert.Equal("Job", Text(job, "kind"));
        var spec = Map(job, "spec");
        Assert.Equal("Indexed", Text(spec, "completionMode"));
        int completions = int.Parse(Text(spec, "completions"));
        var container = (YamlMappingNode)Seq(Map(Map(spec, "template"), "spec"), "containers")[0];
        var script = Text((YamlSequenceNode)container["args"], 0);
        Assert.Contains($"--shard auto/{completions} ", script);
        Assert.Contains("$JOB_COMPLETION_INDEX", script);
        Assert.Equal("/shared", Text((YamlMappingNode)Seq(container, "volumeMounts")[0], "mountPath"));
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task KubernetesManifest_RunAsItsPods_ClassifiesEveryFileExactlyOnce()
    {
        var job = Yaml("k8s-predict-indexed-job.yaml");
        var spec = Map(job, "spec");
        int completions = int.Parse(Text(spec, "completions"));
        var container = (YamlMappingNode)Seq(Map(Map(spec, "template"), "spec"), "containers")[0];
        var command = ((YamlSequenceNode)container["command"]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        var shared = SharedVolume();
        var script = Text((YamlSequenceNode)container["args"], 0).Replace("/shared", shared);

        for (int index = 0; index < completions; index++)
            Run(command[0], [.. command.Skip(1), script], ("JOB_COMPLETION_INDEX", index.ToString()));

        var whole = await CliRun.Of("predict", "--model", Path.Combine(shared, "runs", "fashion"), Path.Combine(shared, "images"), "--format", "csv");
        var parts = Enumerable.Range(0, completions).Select(k => File.ReadAllLines(Path.Combine(shared, "predictions", $"part-{k}.csv"))).ToList();
        Assert.All(parts, p => Assert.Equal(whole.Out.Split('\n')[0], p[0]));
        var rows = parts.SelectMany(p => p.Skip(1)).ToList();
        Assert.Equal(300, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Split(',')[0]).Distinct().Count());
        Assert.Equal(whole.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(shared, "predictions"), "*.tmp"));
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task SlurmScripts_RunAsTheArrayRunsThem_MergeIntoTheUnshardedEvaluation()
    {
        var array = File.ReadAllText(Path.Combine(Samples, "slurm-eval-array.sbatch"));
        var range = Regex.Match(array, @"^#SBATCH --array=(\d+)-(\d+)\s*$", RegexOptions.Multiline);
        Assert.True(range.Success, "the array script declares #SBATCH --array=FIRST-LAST");
        int first = int.Parse(range.Groups[1].Value), last = int.Parse(range.Groups[2].Value);
        var shared = SharedVolume();

        for (int id = first; id <= last; id++)
            Run("bash", [Path.Combine(Samples, "slurm-eval-array.sbatch")], ("SHARED", shared), ("CLASSIFY", Classify),
                ("SLURM_ARRAY_JOB_ID", "4242"), ("SLURM_ARRAY_TASK_ID", id.ToString()), ("SLURM_ARRAY_TASK_MIN", first.ToString()),
                ("SLURM_ARRAY_TASK_MAX", last.ToString()), ("SLURM_ARRAY_TASK_COUNT", (last - first + 1).ToString()),
                ("SLURM_ARRAY_TASK_STEP", "1"), ("SLURM_CPUS_PER_TASK", "1"));
        Run("bash", [Path.Combine(Samples, "slurm-eval-merge.sbatch")], ("SHARED", shared), ("CLASSIFY", Classify), ("MIN_ACCURACY", "0"));

        var whole = _dir.Combine("whole");
        var eval = await CliRun.Of("eval", "--model", Path.Combine(shared, "runs", "fashion"), Path.Combine(shared, "data", "test"), "-o", whole);
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var expected = SavedEvaluation.Read(Path.Combine(whole, EvaluationOutputs.MetricsName));
        var merged = SavedEvaluation.Read(Path.Combine(shared, "eval-test", EvaluationOutputs.MetricsName));
        Assert.Equal(last - first + 1, Directory.GetDirectories(Path.Combine(shared, "eval-shards")).Length);
        Assert.Equal(expected.Images, merged.Images);
        Assert.Equal(expected.Accuracy, merged.Accuracy);
        Assert.Equal(expected.Matrix, merged.Matrix);
        Assert.Equal(expected.Loss, merged.Loss, 1e-9);
        Assert.Equal(File.ReadAllText(Path.Combine(whole, EvaluationOutputs.MisclassifiedName)),
            File.ReadAllText(Path.Combine(shared, "eval-test", EvaluationOutputs.MisclassifiedName)));
    }

    [Fact]
    [Trait("Category", TestCategories.Slow)]
    public async Task SweepWorkflow_ParsesAsAMatrixOfTheSweepConfigs_AndItsStepsCompareTheRuns()
    {
        var workflow = Yaml("github-sweep.yml");
        var jobs = Map(workflow, "jobs");
        Assert.Equal(["tool", "train", "compare"], jobs.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var train = Map(jobs, "train");
        Assert.Equal("tool", Text(train, "needs"));
        Assert.Equal("train", Text(Map(jobs, "compare"), "needs"));
        var configs = Seq(Map(Map(train, "strategy"), "matrix"), "config").Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        Assert.Equal(Directory.GetFiles(Path.Combine(Samples, "sweep"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(), configs.Order());
        var trainStep = Steps(train).Single(s => s.Contains("classify train"));
        var compareSteps = Steps(Map(jobs, "compare")).Single(s => s.Contains("classify runs")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Each matrix job's train command, with the run folders in a temp folder and one epoch to keep the suite short.
        var runs = _dir.Combine("runs");
        foreach (var config in configs)
        {
            var args = Arguments(trainStep.Replace("${{ matrix.config }}", config), runs).Concat(["--epochs", "1"]).ToArray();
            var run = await CliRun.Of(args);
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        var table = await CliRun.Of(Arguments(compareSteps[0], runs));
        var csv = await CliRun.Of(Arguments(compareSteps[1].Split('>')[0], runs));

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // One data folder, so one group, ranked by validation accuracy (the runs have no eval-test).
        Assert.Contains($": {configs.Count} runs by val_accuracy", lines[0]);
        Assert.Matches(@"^#\s+run\s+val_accuracy\s+val_loss\s+epoch\s+seconds\s+options$", lines[1]);
        Assert.Contains("learning-rate=0.003", table.Out);
        Assert.Contains("horizontal-flip=true", table.Out);
        Assert.Equal(configs.Order(), lines.Skip(2).Where(l => char.IsDigit(l[0])).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Order());
        var rows = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        var accuracies = rows.Select(r => double.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(accuracies.OrderDescending(), accuracies);
        foreach (var row in rows)
            Assert.Equal(HistoryCsv.Read(Path.Combine(runs, row[0], RunFolder.HistoryName))[0].ValAccuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), row[3]);
    }

    /// <summary>A shared volume as the examples expect it: the binary, a run folder, images and a test folder.</summary>
    private string SharedVolume()
    {
        var shared = _dir.Combine("shared");
        var run = Path.Combine(shared, "runs", "fashion");
        Directory.CreateDirectory(run);
        foreach (var name in new[] { RunFolder.BestModelName, RunFolder.HistoryName, RunFolder.OptionsName })
            File.Copy(Path.Combine(sample.Run, name), Path.Combine(run, name));
        Directory.CreateDirectory(Path.Combine(shared, "data"));
        Directory.CreateSymbolicLink(Path.Combine(shared, "images"), SampleRunFixture.Val);
        Directory.CreateSymbolicLink(Path.Combine(shared, "data", "test"), SampleRunFixture.Val);
        Directory.CreateDirectory(Path.Combine(shared, "classify"));
        File.CreateSymbolicLink(Path.Combine(shared, "classify", "classify"), Classify);
        return shared;
    }

    /// <summary>The CLI's executable, built beside the tests.</summary>
    private static string Classify => Path.Combine(AppContext.BaseDirectory, "classify");

    /// <summary>A step's command line as arguments for the CLI: repository paths made absolute, runs/ put in <paramref name="runs"/>.</summary>
    private static string[] Arguments(string line, string runs)
    {
        var tokens = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(t => !t.EndsWith("classify")).Skip(1).ToList();
        return tokens.Take(1).Concat(tokens.Skip(1).Select(t =>
                t.StartsWith("samples/") ? Path.Combine(Repository, t)
                : t == "runs" ? runs
                : t.StartsWith("runs/") ? Path.Combine(runs, t[5..])
                : t))
            .ToArray();
    }

    private static void Run(string program, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}\n{stdout.Result}\n{stderr}");
    }

    private static YamlMappingNode Yaml(string name)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Samples, name));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static IEnumerable<string> Steps(YamlMappingNode job) =>
        Seq(job, "steps").Children.OfType<YamlMappingNode>()
            .Where(s => s.Children.ContainsKey("run")).Select(s => Text(s, "run"));

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    private static YamlSequenceNode Seq(YamlMappingNode node, string key) => (YamlSequenceNode)node[key];

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string Text(YamlSequenceNode node, int index) => ((YamlScalarNode)node[index]).Value!;
}
