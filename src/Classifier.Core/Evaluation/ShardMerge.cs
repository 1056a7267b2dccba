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

        var modelPath = model is null ? first.Saved.Model : RunFolder.ResolveModel(model);
        if (!File.Exists(modelPath))
            throw new ClassifierException($"--merge: the model '{modelPath}' that the shards evaluated is not here; give it with --model.");
        var info = ModelFile.ReadInfo(modelPath);
        if (first.Part.ModelSha256 is { } sha && TrainingFiles.Sha256(modelPath) != sha)
            throw new ClassifierException(
                $"--merge: the model '{modelPath}' is not the file the shards evaluated (its SHA-256 differs from the shards' model_sha256); give the model they used with --model, or evaluate the shards again.");
        if (!info.ClassNames.SequenceEqual(first.Saved.ClassNames, StringComparer.Ordinal))
            throw new ClassifierException($"--merge: the classes of '{first.File}' are not those of the model '{modelPath}'.");

        var matrix = new ConfusionMatrix(info.ClassNames);
        long images = 0, topKCorrect = 0;
        double lossSum = 0, seconds = 0;
        foreach (var shard in shards)
        {
            for (int t = 0; t < shard.Saved.Matrix.Length; t++)
                for (int p = 0; p < shard.Saved.Matrix[t].Length; p++)
                    matrix.Add(t, p, shard.Saved.Matrix[t][p]);
            images += shard.Saved.Images;
            topKCorrect += shard.Saved.TopKCorrect;
            lossSum += shard.Saved.LossSum;
            seconds += shard.Saved.Seconds;
        }
        if (!double.IsFinite(lossSum) || !double.IsFinite(seconds))
            throw new ClassifierException("--merge: the shards' 'loss_sum' or 'seconds' add up to more than a number can hold; the files are damaged or edited.");
        if (matrix.Total != images)
            throw new ClassifierException($"--merge: the shards' confusion matrices count {matrix.Total} images but their 'images' add up to {images}.");

        // The errors in the whole folder's order stand in for the dataset: prediction i is image i.
        var index = info.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var errors = shards.SelectMany(s => s.Part.Errors).OrderBy(e => e.Position).ToList();
        var errorImages = errors.Select(e => new LabeledImage(e.Path, index[e.TrueLabel])).ToList();
        var predictions = errors.Select((e, i) =>
            new ImagePrediction(i, index[e.TrueLabel], index[e.PredictedLabel], e.Confidence, float.NaN)).ToList();
        var result = new EvaluationResult(images, images == 0 ? double.NaN : lossSum / images, matrix, predictions, seconds)
        {
            LossSum = lossSum,
            TopK = first.Saved.TopK,
            TopKCorrect = topKCorrect,
            Augmentation = first.Saved.Augmentation,
            Engine = first.Saved.Engine,
        };
        var data = new Dataset(first.Saved.Data, info.ClassNames, errorImages, []);
        var skipped = shards.SelectMany(s => s.Saved.SkippedFiles).ToList();
        var overlap = shards.All(s => s.Saved.Overlap is not null)
            ? new TrainingOverlap(shards.Sum(s => s.Saved.Overlap!.Train), shards.Sum(s => s.Saved.Overlap!.Validation))
            : null;
        return new EvaluationReport(modelPath, info, data, result, skipped, first.Saved.Split, overlap);
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
            Same(other.Saved.Data == first.Saved.Data, "the data folders");
            Same(!sameModel || other.Saved.Model == first.Saved.Model, "the model files (give --model if only their paths differ)");
            Same(other.Part.ModelSha256 == first.Part.ModelSha256, "the model files' contents (SHA-256): the model was replaced between the shards");
            Same(other.Part.DataSha256 == first.Part.DataSha256, "the data folders' contents (SHA-256 of their image paths, classes and sizes): the data changed between the shards");
            Same(other.Saved.ClassNames.SequenceEqual(first.Saved.ClassNames, StringComparer.Ordinal), "the classes");
            Same(other.Saved.TopK == first.Saved.TopK, "the top-k");
            Same(other.Saved.Augmentation == first.Saved.Augmentation, "the test-time augmentations");
            Same(other.Saved.Engine == first.Saved.Engine, "the engines (--engine)");
            Same(other.Saved.ModelEpoch == first.Saved.ModelEpoch, "the model epochs");
            Same(other.Saved.Split == first.Saved.Split, "the splits");
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
        long seen = shards.Sum(s => s.Saved.Images + s.Saved.SkippedFiles.Count);
        if (seen != shards[0].FolderImages)
            throw new ClassifierException(
                $"--merge: the shards evaluated or skipped {seen} images but the data folder held {shards[0].FolderImages}; were they run on the same folder contents?");
    }

    /// <summary>One shard's saved evaluation, named by its full path in messages.</summary>
    private sealed record ShardFile(string File, SavedEvaluation Saved)
    {
        public SavedShard Part => Saved.Shard!;
        public int Index => Part.Index;
        public int Count => Part.Count;
        public int FolderImages => Part.FolderImages;

        public static ShardFile Read(string path) => new(Path.GetFullPath(path), SavedEvaluation.ReadShard(path));

        /// <summary>
        /// Every field checked against the others, so a hand-edited or damaged file cannot make the merge report figures no
        /// evaluation could give (top-2 accuracy 50 from hits above the image count, a NaN loss counted as 0).
        /// </summary>
        public void Validate()
        {
            var s = Saved;
            if (Count < 1) throw Invalid("shard.count", $"is {Count}; it must be at least 1");
            if (Index < 0 || Index >= Count) throw Invalid("shard.index", $"is {Index}; shards are numbered 0 to {Count - 1}");
            if (FolderImages < 0) throw Invalid("shard.folder_images", $"is {FolderImages}");
            if (s.Images < 0 || s.Images > FolderImages)
                throw Invalid("images", $"is {s.Images}; it must be between 0 and the folder's {FolderImages} images");
            long matrixTotal = 0;
            try
            {
                foreach (var row in s.Matrix)
                    foreach (var cell in row) matrixTotal = checked(matrixTotal + cell);
            }
            catch (OverflowException)
            {
                throw Invalid("confusion_matrix", "adds up to more than a 64-bit count");
            }
            if (matrixTotal != s.Images) throw Invalid("confusion_matrix", $"counts {matrixTotal} images, but 'images' is {s.Images}");
            if (s.TopK < 0 || s.TopK > s.ClassNames.Count) throw Invalid("top_k", $"is {s.TopK}; the model has {s.ClassNames.Count} classes");
            if (s.TopKCorrect < 0 || s.TopKCorrect > s.Images) throw Invalid("top_k_correct", $"is {s.TopKCorrect}; it must be between 0 and 'images' ({s.Images})");
            if (!double.IsFinite(s.LossSum) || s.LossSum < 0) throw Invalid("loss_sum", $"is {s.LossSum}; it must be a finite number of at least 0");
            if (!double.IsFinite(s.Seconds) || s.Seconds < 0 || s.Seconds > 1e9) throw Invalid("seconds", $"is {s.Seconds}; it must be a time in seconds");
            if (s.SkippedFiles.Count > FolderImages - s.Images) throw Invalid("skipped", $"lists {s.SkippedFiles.Count} files; with {s.Images} evaluated the folder holds {FolderImages}");
            if (s.ModelEpoch < 0) throw Invalid("model_epoch", $"is {s.ModelEpoch}");
            foreach (var error in Part.Errors)
            {
                if (error.Position < 0 || error.Position >= FolderImages)
                    throw Invalid("errors[].position", $"is {error.Position}; the folder holds {FolderImages} images");
                if (!float.IsFinite(error.Confidence) || error.Confidence is < 0 or > 1)
                    throw Invalid("errors[].confidence", $"is {error.Confidence}; it must be between 0 and 1");
            }
            if (Part.Errors.Count > s.Images) throw Invalid("errors", $"lists {Part.Errors.Count} misclassified images of {s.Images}");
        }

        private ClassifierException Invalid(string field, string problem) => SavedEvaluation.Damaged(File, field, problem);
    }
}
