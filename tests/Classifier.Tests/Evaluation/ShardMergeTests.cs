using System.Text.Json.Nodes;
using Classifier.Core;
using Classifier.Core.Evaluation;
using Classifier.Core.Inference;
using Classifier.Core.Sharding;
using Classifier.Tests.Support;

namespace Classifier.Tests.Evaluation;

/// <summary>
/// <see cref="ShardMerge"/>'s contract, called directly: the shards of one evaluation add up to the evaluation of the
/// whole folder (counts exactly, the loss to round-off, the errors in one run's order, the skipped files), and shards
/// that cannot be added up are refused with a message that says why.
/// </summary>
public sealed class ShardMergeTests(ShardMergeTests.TrainedModel model) : IClassFixture<ShardMergeTests.TrainedModel>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A model trained for one epoch on 3 classes of striped images, and that folder with one unreadable file.</summary>
    public sealed class TrainedModel : IAsyncLifetime
    {
        private readonly TempDir _dir = new();

        public string Data => _dir.Combine("data");

        public string Run => _dir.Combine("run");

        public async Task InitializeAsync()
        {
            TestImages.StripesDataset(Data, classes: 3, perClass: 8, size: 24);
            var train = await CliRun.Of("train", Data, "--image-size", "24", "--epochs", "1", "--threads", "1", "-o", Run);
            Assert.True(train.ExitCode == 0, train.ToString());
            // Skipped by every evaluation, counted by the shard it falls in.
            BadFiles.TextAsImage(Path.Combine(Data, "class_b", "broken.png"));
        }

        public Task DisposeAsync()
        {
            _dir.Dispose();
            return Task.CompletedTask;
        }
    }

    private EvalOptions Options(Shard? shard = null, int topK = 2) => new()
    {
        Model = model.Run,
        DataDir = model.Data,
        Threads = 1,
        TopK = topK,
        Engine = InferenceEngine.Torch,
        Shard = shard,
    };

    /// <summary>Evaluates every shard of <paramref name="count"/> and writes each one's files; returns their metrics.json.</summary>
    private List<string> Shards(int count, string folder = "shards", int topK = 2)
    {
        var files = new List<string>();
        for (int k = 0; k < count; k++)
        {
            var report = ModelEvaluation.Run(Options(new Shard(k, count), topK));
            var written = EvaluationFolder.WriteInto(report, _dir.Combine(folder, $"shard-{k}"));
            files.Add(Path.Combine(written, EvaluationOutputs.MetricsName));
        }
        return files;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Merge_OfEveryShard_IsTheEvaluationOfTheWholeFolder(int count)
    {
        var whole = ModelEvaluation.Run(Options());

        var merged = ShardMerge.Merge(Shards(count));

        Assert.Equal(whole.ModelPath, merged.ModelPath);
        Assert.Equal(whole.Data.Root, merged.Data.Root);
        Assert.Equal(whole.Info.ClassNames, merged.Info.ClassNames);
        Assert.Equal(whole.Result.Images, merged.Result.Images);
        Assert.Equal(whole.Result.Matrix.ToRows(), merged.Result.Matrix.ToRows());
        Assert.Equal(whole.Result.Accuracy, merged.Result.Accuracy);
        Assert.Equal(whole.Result.PerClass, merged.Result.PerClass);
        Assert.Equal(whole.Result.TopK, merged.Result.TopK);
        Assert.Equal(whole.Result.TopKCorrect, merged.Result.TopKCorrect);
        // Added in another order: equal to round-off.
        Assert.Equal(whole.Result.LossSum, merged.Result.LossSum, 1e-9);
        Assert.Equal(whole.Result.Loss, merged.Result.Loss, 1e-9);
        Assert.Equal(whole.Result.Augmentation, merged.Result.Augmentation);
        Assert.Equal(whole.Result.Engine, merged.Result.Engine);
        Assert.Equal(whole.Skipped.Select(s => s.Key), merged.Skipped.Select(s => s.Key));
        // The errors as one run lists them in misclassified.csv: most confident first, ties in folder order.
        static IEnumerable<(string, int, int, float)> Errors(EvaluationReport r) =>
            EvaluationOutputs.Errors(r).Select(p => (r.Data.Images[p.Index].Path, p.Actual, p.Predicted, p.Confidence));
        Assert.Equal(Errors(whole), Errors(merged));
    }

    [Fact]
    public void Merge_WritesTheFilesOfTheWholeFolder_ButForTheTiming()
    {
        var whole = EvaluationFolder.WriteInto(ModelEvaluation.Run(Options()), _dir.Combine("whole"));

        var merged = EvaluationFolder.WriteInto(ShardMerge.Merge(Shards(3)), _dir.Combine("merged"));

        Assert.Equal(File.ReadAllText(Path.Combine(whole, EvaluationOutputs.MisclassifiedName)),
            File.ReadAllText(Path.Combine(merged, EvaluationOutputs.MisclassifiedName)));
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(whole, EvaluationOutputs.MetricsName)))!.AsObject();
        var actual = JsonNode.Parse(File.ReadAllText(Path.Combine(merged, EvaluationOutputs.MetricsName)))!.AsObject();
        Assert.Equal(expected.Select(p => p.Key), actual.Select(p => p.Key));
        foreach (var (key, value) in expected.Where(p => p.Key is not ("seconds" or "loss" or "loss_sum")))
            Assert.True(JsonNode.DeepEquals(value, actual[key]), $"{key}: {value?.ToJsonString()} != {actual[key]?.ToJsonString()}");
    }

    [Fact]
    public void Merge_OfNoFiles_AsksForTheShards()
    {
        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([]));

        Assert.Contains("give the metrics.json files of every shard", e.Message);
    }

    [Fact]
    public void Merge_WithAShardMissing_NamesTheMissingIndex()
    {
        var shards = Shards(3);

        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([shards[0], shards[2]]));

        Assert.Contains("1 of 3 shard(s) missing (index from 0: 1)", e.Message);
    }

    [Fact]
    public void Merge_WithAShardGivenTwice_NamesItAndItsFiles()
    {
        var shards = Shards(2);
        var copy = _dir.Combine("copy", EvaluationOutputs.MetricsName);
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(shards[1], copy);

        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([shards[0], shards[1], copy]));

        Assert.Contains("shard 1/2 is given twice", e.Message);
        Assert.Contains(copy, e.Message);
    }

    [Fact]
    public void Merge_OfShardsOfDifferentEvaluations_SaysWhatDiffers()
    {
        var topTwo = Shards(2, "top-2", topK: 2);
        var topThree = Shards(2, "top-3", topK: 3);
        var ofThree = Shards(3, "of-3");

        var k = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([topTwo[0], topThree[1]]));
        var n = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([topTwo[0], ofThree[1]]));

        Assert.Contains("are shards of different evaluations (the top-k differ)", k.Message);
        Assert.Contains("are shards of different evaluations (the numbers of shards differ)", n.Message);
    }

    [Fact]
    public void Merge_OfAWholeEvaluation_SaysItIsNotAShard()
    {
        var whole = EvaluationFolder.WriteInto(ModelEvaluation.Run(Options()), _dir.Combine("whole"));
        var metrics = Path.Combine(whole, EvaluationOutputs.MetricsName);

        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge([metrics]));

        Assert.Equal($"--merge: '{metrics}' is not a shard's metrics.json (no 'shard'); evaluate with --shard K/N.", e.Message);
    }

    [Fact]
    public void Merge_WithTheModelMovedAway_AsksForIt_AndTakesItFromModel()
    {
        var shards = Shards(2);
        var moved = _dir.Combine("moved.cls");
        File.Copy(Path.Combine(model.Run, "best.cls"), moved);
        foreach (var file in shards)
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!;
            root["model"] = _dir.Combine("gone", "best.cls");
            File.WriteAllText(file, root.ToJsonString());
        }

        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge(shards));
        var merged = ShardMerge.Merge(shards, moved);

        Assert.Contains("that the shards evaluated is not here; give it with --model", e.Message);
        Assert.Equal(moved, merged.ModelPath);
    }

    [Fact]
    public async Task Merge_WithAnotherModelGiven_IsRefusedByItsContent()
    {
        var shards = Shards(2);
        var other = _dir.Combine("other");
        var train = await CliRun.Of("train", model.Data, "--image-size", "24", "--epochs", "1", "--threads", "1", "--seed", "7", "-o", other);
        Assert.True(train.ExitCode == 0, train.ToString());

        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Merge(shards, other));

        Assert.Contains("is not the file the shards evaluated (its SHA-256 differs from the shards' model_sha256)", e.Message);
    }

    [Fact]
    public void Files_OfAFolderOfShardFolders_AreEachShardsMetricsInOrder_AndAMissingPathIsNamed()
    {
        var shards = Shards(3);

        var files = ShardMerge.Files([_dir.Combine("shards")]);
        var e = Assert.Throws<ClassifierException>(() => ShardMerge.Files([_dir.Combine("nowhere")]));

        Assert.Equal(shards, files);
        Assert.Equal($"--merge '{_dir.Combine("nowhere")}' does not exist; give the metrics.json each shard wrote.", e.Message);
    }

    [Fact]
    public void DefaultShardFolder_IsBesideTheUnshardedFolder_SoReportsNeverListAPartAsTheWhole()
    {
        var folder = ShardMerge.DefaultShardFolder(Path.Combine("run", "eval-val") + Path.DirectorySeparatorChar, new Shard(2, 5));

        Assert.Equal(Path.Combine("run", "eval-val-shards", "shard-2-of-5"), folder);
    }
}
