using System.Text.Json;
using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Runs;

namespace Classifier.Core.Evaluation;

/// <summary>
/// <c>classify eval --merge</c>: adds up the metrics.json files of the N shards of one evaluation (<c>eval --shard K/N</c>)
/// into the evaluation one unsharded run would have made. Counts (images, confusion matrix, top-k hits) add exactly, so
/// accuracy, per-class figures and top-k accuracy are equal to the last digit; the loss is the sum of the shards'
/// double-precision loss sums over the images (equal to float round-off); the misclassified images come back in one
/// run's order (confidence, then position in the folder). Every shard 0 to N-1 must be given exactly once.
/// </summary>
public static class ShardMerge
{
    /// <summary>
    /// The merged evaluation of <paramref name="metricsFiles"/>. The model is the one the shards recorded, or
    /// <paramref name="model"/> (a model file or run folder) when the files were evaluated where paths differ.
    /// </summary>
    public static EvaluationReport Merge(IReadOnlyList<string> metricsFiles, string? model = null)
    {
        if (metricsFiles.Count == 0)
            throw new ClassifierException("--merge: give the metrics.json files of every shard (e.g. --merge shards/*/metrics.json).");
        var shards = metricsFiles.Select(ShardFile.Read).OrderBy(s => s.Index).ToList();
        foreach (var shard in shards) shard.Validate();
        var first = shards[0];
        CheckSameEvaluation(shards, model is null);
        CheckComplete(shards);

        var modelPath = model is null ? first.Model : RunFolder.ResolveModel(model);
        if (!File.Exists(modelPath))
            throw new ClassifierException($"--merge: the model '{modelPath}' that the shards evaluated is not here; give it with --model.");
        var info = ModelFile.ReadInfo(modelPath);
        if (first.ModelSha256 is { } sha && TrainingFiles.Sha256(modelPath) != sha)
            throw new ClassifierException(
                $"--merge: the model '{modelPath}' is not the file the shards evaluated (its SHA-256 differs from the shards' model_sha256); give the model they used with --model, or evaluate the shards again.");
        if (!info.ClassNames.SequenceEqual(first.Classes, StringComparer.Ordinal))
            throw new ClassifierException($"--merge: the classes of '{first.File}' are not those of the model '{modelPath}'.");

        var matrix = new ConfusionMatrix(info.ClassNames);
        long images = 0, topKCorrect = 0;
        double lossSum = 0, seconds = 0;
        foreach (var shard in shards)
        {
            for (int t = 0; t < shard.Matrix.Length; t++)
                for (int p = 0; p < shard.Matrix[t].Length; p++)
                    matrix.Add(t, p, shard.Matrix[t][p]);
            images += shard.Images;
            topKCorrect += shard.TopKCorrect;
            lossSum += shard.LossSum;
            seconds += shard.Seconds;
        }
        if (!double.IsFinite(lossSum) || !double.IsFinite(seconds))
            throw new ClassifierException("--merge: the shards' 'loss_sum' or 'seconds' add up to more than a number can hold; the files are damaged or edited.");
        if (matrix.Total != images)
            throw new ClassifierException($"--merge: the shards' confusion matrices count {matrix.Total} images but their 'images' add up to {images}.");

        // The errors in the whole folder's order stand in for the dataset: prediction i is image i.
        var index = info.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var errors = shards.SelectMany(s => s.Errors).OrderBy(e => e.Position).ToList();
        var errorImages = errors.Select(e => new LabeledImage(e.Path, index[e.TrueLabel])).ToList();
        var predictions = errors.Select((e, i) =>
            new ImagePrediction(i, index[e.TrueLabel], index[e.PredictedLabel], e.Confidence, float.NaN)).ToList();
        var result = new EvaluationResult(images, images == 0 ? double.NaN : lossSum / images, matrix, predictions, seconds)
        {
            LossSum = lossSum,
            TopK = first.TopK,
            TopKCorrect = topKCorrect,
            Augmentation = first.Augmentation,
            Engine = first.Engine,
        };
        var data = new Dataset(first.Data, info.ClassNames, errorImages, []);
        var skipped = shards.SelectMany(s => s.Skipped).ToList();
        var overlap = shards.All(s => s.Overlap is not null)
            ? new TrainingOverlap(shards.Sum(s => s.Overlap!.Train), shards.Sum(s => s.Overlap!.Validation))
            : null;
        return new EvaluationReport(modelPath, info, data, result, skipped, first.Split, overlap);
    }

    /// <summary>
    /// The metrics.json files meant by <paramref name="arguments"/>: a file as given; a folder's own metrics.json; or,
    /// for a folder of shard folders (eval's default <c>eval-DATA-shards/</c>), the metrics.json of each sub-folder.
    /// </summary>
    public static IReadOnlyList<string> Files(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var argument in arguments)
        {
            if (File.Exists(argument)) files.Add(argument);
            else if (File.Exists(Path.Combine(argument, EvaluationOutputs.MetricsName)))
                files.Add(Path.Combine(argument, EvaluationOutputs.MetricsName));
            else if (Directory.Exists(argument))
            {
                var inside = Directory.EnumerateDirectories(argument).Order(StringComparer.Ordinal)
                    .Select(d => Path.Combine(d, EvaluationOutputs.MetricsName)).Where(File.Exists).ToList();
                if (inside.Count == 0)
                    throw new ClassifierException($"--merge '{argument}': the folder holds no metrics.json, nor do its sub-folders.");
                files.AddRange(inside);
            }
            else throw new ClassifierException($"--merge '{argument}' does not exist; give the metrics.json each shard wrote.");
        }
        return files;
    }

    /// <summary>
    /// Where <c>eval --shard K/N</c> writes when no <c>--output</c> is given: <c>shard-K-of-N</c> in the folder named as the
    /// unsharded evaluation's with <c>-shards</c> added (<c>eval-DATA-shards/</c> beside the model), which holds no
    /// metrics.json of its own, so report.html never lists a part as the whole.
    /// </summary>
    public static string DefaultShardFolder(string unshardedFolder, Sharding.Shard shard) =>
        Path.Combine(Path.TrimEndingDirectorySeparator(unshardedFolder) + "-shards", $"shard-{shard.Index}-of-{shard.Count}");

    private static void CheckSameEvaluation(IReadOnlyList<ShardFile> shards, bool sameModel)
    {
        var first = shards[0];
        foreach (var other in shards.Skip(1))
        {
            void Same(bool equal, string what)
            {
                if (!equal)
                    throw new ClassifierException(
                        $"--merge: '{first.File}' and '{other.File}' are shards of different evaluations ({what} differ); merge the shards of one run.");
            }
            Same(other.Count == first.Count, "the numbers of shards");
            Same(other.FolderImages == first.FolderImages, "the images in the data folder");
            Same(other.Data == first.Data, "the data folders");
            Same(!sameModel || other.Model == first.Model, "the model files (give --model if only their paths differ)");
            Same(other.ModelSha256 == first.ModelSha256, "the model files' contents (SHA-256): the model was replaced between the shards");
            Same(other.DataSha256 == first.DataSha256, "the data folders' contents (SHA-256 of their image paths, classes and sizes): the data changed between the shards");
            Same(other.Classes.SequenceEqual(first.Classes, StringComparer.Ordinal), "the classes");
            Same(other.TopK == first.TopK, "the top-k");
            Same(other.Augmentation == first.Augmentation, "the test-time augmentations");
            Same(other.Engine == first.Engine, "the engines (--engine)");
            Same(other.ModelEpoch == first.ModelEpoch, "the model epochs");
            Same(other.Split == first.Split, "the splits");
        }
    }

    private static void CheckComplete(IReadOnlyList<ShardFile> shards)
    {
        int count = shards[0].Count;
        var twice = shards.GroupBy(s => s.Index).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new ClassifierException(
                $"--merge: shard {twice.Key}/{count} is given twice ({string.Join(", ", twice.Select(s => $"'{s.File}'"))}); give each shard once.");
        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Index)).ToList();
        if (missing.Count > 0)
            throw new ClassifierException(
                $"--merge: {missing.Count} of {count} shard(s) missing (index from 0: {string.Join(", ", missing.Take(10))}" +
                $"{(missing.Count > 10 ? ", ..." : "")}); give the metrics.json of every shard.");
        long seen = shards.Sum(s => s.Images + s.Skipped.Count);
        if (seen != shards[0].FolderImages)
            throw new ClassifierException(
                $"--merge: the shards evaluated or skipped {seen} images but the data folder held {shards[0].FolderImages}; were they run on the same folder contents?");
    }

    private sealed record ShardError(int Position, string Path, string TrueLabel, string PredictedLabel, float Confidence);

    /// <summary>The fields of one shard's metrics.json that the merge uses.</summary>
    private sealed record ShardFile(
        string File, int Index, int Count, int FolderImages, string Model, string Data, IReadOnlyList<string> Classes,
        int ModelEpoch, TestTimeAugmentation Augmentation, int TopK, long Images, long[][] Matrix, double LossSum,
        long TopKCorrect, double Seconds, IReadOnlyList<KeyValuePair<string, string>> Skipped, IReadOnlyList<ShardError> Errors,
        string? Split, TrainingOverlap? Overlap, Inference.InferenceEngine? Engine, string? ModelSha256)
    {
        /// <summary>The data folder's identity (<see cref="Sharding.ShardSelection.DataSha256"/>); null in older shards.</summary>
        public string? DataSha256 { get; init; }

        public static ShardFile Read(string path)
        {
            if (!System.IO.File.Exists(path))
                throw new ClassifierException($"--merge: '{path}' does not exist; give the metrics.json each shard wrote.");
            try
            {
                using var doc = JsonDocument.Parse(InputFile.ReadAllBytes(path, $"--merge '{path}'"));
                var root = doc.RootElement;
                if (!root.TryGetProperty("shard", out var shard))
                    throw new ClassifierException($"--merge: '{path}' is not a shard's metrics.json (no 'shard'); evaluate with --shard K/N.");
                var classes = root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToList();
                var matrix = root.GetProperty("confusion_matrix").EnumerateArray()
                    .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
                if (matrix.Length != classes.Count || matrix.Any(r => r.Length != classes.Count || r.Any(v => v < 0)))
                    throw new ClassifierException($"--merge: '{path}': the confusion matrix is not {classes.Count}x{classes.Count} counts.");
                var lossSum = root.GetProperty("loss_sum");
                bool hasTopK = root.TryGetProperty("top_k", out var k);
                return new ShardFile(Path.GetFullPath(path),
                    shard.GetProperty("index").GetInt32(), shard.GetProperty("count").GetInt32(),
                    shard.GetProperty("folder_images").GetInt32(),
                    root.GetProperty("model").GetString()!, root.GetProperty("data").GetString()!, classes,
                    root.GetProperty("model_epoch").GetInt32(),
                    EnumValues.Parse<TestTimeAugmentation>(root.GetProperty("test_time_augmentation").GetString()!),
                    hasTopK ? k.GetInt32() : 0, root.GetProperty("images").GetInt64(), matrix,
                    lossSum.ValueKind == JsonValueKind.Number
                        ? lossSum.GetDouble()
                        : throw Invalid(path, "loss_sum", $"is {lossSum.ValueKind.ToString().ToLowerInvariant()}, not a number"),
                    hasTopK ? root.GetProperty("top_k_correct").GetInt64() : 0,
                    root.GetProperty("seconds").GetDouble(),
                    root.GetProperty("skipped").EnumerateArray()
                        .Select(s => KeyValuePair.Create(s.GetProperty("path").GetString()!, s.GetProperty("reason").GetString()!)).ToList(),
                    root.GetProperty("errors").EnumerateArray().Select(e => new ShardError(
                        e.GetProperty("position").GetInt32(), e.GetProperty("path").GetString()!,
                        Known(e.GetProperty("true_label").GetString()!, classes, path),
                        Known(e.GetProperty("predicted_label").GetString()!, classes, path),
                        e.GetProperty("confidence").GetSingle())).ToList(),
                    root.TryGetProperty("split", out var split) ? split.GetString() : null,
                    root.TryGetProperty("overlap", out var overlap)
                        ? new TrainingOverlap(overlap.GetProperty("train").GetInt32(), overlap.GetProperty("validation").GetInt32())
                        : null,
                    root.TryGetProperty("engine", out var engine) && engine.ValueKind == JsonValueKind.String
                        ? EnumValues.Parse<Inference.InferenceEngine>(engine.GetString()!)
                        : null,
                    shard.TryGetProperty("model_sha256", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString() : null)
                {
                    DataSha256 = shard.TryGetProperty("data_sha256", out var dataSha) && dataSha.ValueKind == JsonValueKind.String ? dataSha.GetString() : null,
                };
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ClassifierException($"--merge: '{path}' is not a shard's metrics.json ({e.Message}).", e);
            }
        }

        /// <summary>
        /// Every field checked against the others, so a hand-edited or damaged file cannot make the merge report figures no
        /// evaluation could give (top-2 accuracy 50 from hits above the image count, a NaN loss counted as 0).
        /// </summary>
        public void Validate()
        {
            if (Count < 1) throw Invalid(File, "shard.count", $"is {Count}; it must be at least 1");
            if (Index < 0 || Index >= Count) throw Invalid(File, "shard.index", $"is {Index}; shards are numbered 0 to {Count - 1}");
            if (FolderImages < 0) throw Invalid(File, "shard.folder_images", $"is {FolderImages}");
            if (Images < 0 || Images > FolderImages)
                throw Invalid(File, "images", $"is {Images}; it must be between 0 and the folder's {FolderImages} images");
            long matrixTotal = 0;
            try
            {
                foreach (var row in Matrix)
                    foreach (var cell in row) matrixTotal = checked(matrixTotal + cell);
            }
            catch (OverflowException)
            {
                throw Invalid(File, "confusion_matrix", "adds up to more than a 64-bit count");
            }
            if (matrixTotal != Images) throw Invalid(File, "confusion_matrix", $"counts {matrixTotal} images, but 'images' is {Images}");
            if (TopK < 0 || TopK > Classes.Count) throw Invalid(File, "top_k", $"is {TopK}; the model has {Classes.Count} classes");
            if (TopKCorrect < 0 || TopKCorrect > Images) throw Invalid(File, "top_k_correct", $"is {TopKCorrect}; it must be between 0 and 'images' ({Images})");
            if (!double.IsFinite(LossSum) || LossSum < 0) throw Invalid(File, "loss_sum", $"is {LossSum}; it must be a finite number of at least 0");
            if (!double.IsFinite(Seconds) || Seconds < 0 || Seconds > 1e9) throw Invalid(File, "seconds", $"is {Seconds}; it must be a time in seconds");
            if (Skipped.Count > FolderImages - Images) throw Invalid(File, "skipped", $"lists {Skipped.Count} files; with {Images} evaluated the folder holds {FolderImages}");
            if (ModelEpoch < 0) throw Invalid(File, "model_epoch", $"is {ModelEpoch}");
            foreach (var error in Errors)
            {
                if (error.Position < 0 || error.Position >= FolderImages)
                    throw Invalid(File, "errors[].position", $"is {error.Position}; the folder holds {FolderImages} images");
                if (!float.IsFinite(error.Confidence) || error.Confidence is < 0 or > 1)
                    throw Invalid(File, "errors[].confidence", $"is {error.Confidence}; it must be between 0 and 1");
            }
            if (Errors.Count > Images) throw Invalid(File, "errors", $"lists {Errors.Count} misclassified images of {Images}");
        }

        private static ClassifierException Invalid(string path, string field, string problem) =>
            new($"--merge: '{path}': field '{field}' {problem}; the file is damaged or edited. Evaluate that shard again.");

        private static string Known(string label, IReadOnlyList<string> classes, string path) =>
            classes.Contains(label, StringComparer.Ordinal)
                ? label
                : throw new ClassifierException($"--merge: '{path}' names an error of class '{label}', which is not among its classes.");
    }
}
