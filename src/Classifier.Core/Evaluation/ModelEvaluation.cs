using Classifier.Core.Data;
using Classifier.Core.Inference;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Sharding;
using Classifier.Core.Torch;
using TorchSharp;

namespace Classifier.Core.Evaluation;

/// <summary>The standalone evaluation behind <c>classify eval</c>.</summary>
public static class ModelEvaluation
{
    /// <summary>
    /// Loads the model, reads the data folder (or, with <see cref="EvalOptions.Split"/>, the run's own images of that
    /// split) with the model's own preprocessing, maps its class folders to the model's classes by name and evaluates.
    /// When the model's folder records its run's images, the report counts the images the run trained or validated on.
    /// <paramref name="onProgress"/> gets (images done, images in total).
    /// </summary>
    public static EvaluationReport Run(EvalOptions options, Action<long, long>? onProgress = null,
        Action<string, string>? onSkipped = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var modelPath = RunFolder.ResolveModel(options.Model);
        var info = ModelFile.ReadInfo(modelPath);
        var files = TrainingFiles.TryRead(Path.GetDirectoryName(modelPath)!);
        Dataset data;
        if (options.Split is { } split)
            data = (files ?? throw new ClassifierException(
                    $"--split {split}: '{options.Model}' is not a run folder that records its images ({RunFolder.FilesName}); give a data folder instead."))
                .Images(split, info.ClassNames);
        else
            // One class folder is enough: checking a new batch of a single class is an everyday use of eval.
            data = MapToModelClasses(DatasetScanner.Scan(options.DataDir!, minimumClasses: 1), info.ClassNames);
        ShardSelection? selection = null;
        if (options.Shard is { } shard) (data, selection) = ShardSelection.Select(data, shard);
        // With more shards than images a shard can be empty: its share is zero images, not an error.
        var report = selection is not null && data.Images.Count == 0
            ? EmptyShard(modelPath, info, data, options)
            : Evaluate(modelPath, data, options, onProgress, onSkipped, cancellation,
                // Every shard chooses its engine from the whole folder's count, so the shards merge.
                engineImages: selection?.FolderImages);
        return report with { Split = options.Split, Overlap = files?.Overlap(data.Images.Select(i => i.Path)), Shard = selection };
    }

    private static EvaluationReport EmptyShard(string modelPath, ModelInfo info, Dataset data, EvalOptions options)
    {
        int topK = options.TopKFor(info.ClassNames.Count);
        var result = new EvaluationResult(0, double.NaN, new ConfusionMatrix(info.ClassNames), [], 0)
        {
            TopK = topK >= 2 ? topK : 0,
            Augmentation = options.TestTimeAugmentation ?? info.TestTimeAugmentation,
        };
        return new EvaluationReport(modelPath, info, data, result, []);
    }

    /// <summary>
    /// Where <paramref name="report"/>'s files go when no folder is given: for a split of the run, the folder the
    /// end of training wrote that split's evaluation to; otherwise <c>eval-&lt;data folder name&gt;</c> beside the model.
    /// </summary>
    public static string DefaultFolder(EvaluationReport report)
    {
        var modelFolder = Path.GetDirectoryName(Path.GetFullPath(report.ModelPath))!;
        if (report.Split is not { } split) return EvaluationOutputs.DefaultFolder(report.ModelPath, report.Data.Root);
        var files = TrainingFiles.TryRead(modelFolder)!;
        return Path.Combine(modelFolder, EvaluationOutputs.SplitFolderName(split, report.Data.Root, files.IsSplit));
    }

    /// <summary>
    /// Evaluates the model file <paramref name="modelPath"/> on <paramref name="data"/>, whose labels are already the
    /// model's class indices (a training run's validation set, or a folder passed through
    /// <see cref="MapToModelClasses"/>). <see cref="EvalOptions.Model"/> and <see cref="EvalOptions.DataDir"/> are not used.
    /// <paramref name="engineImages"/> is the image count the engine is chosen for (by default the data's).
    /// </summary>
    public static EvaluationReport Evaluate(string modelPath, Dataset data, EvalOptions options,
        Action<long, long>? onProgress = null, Action<string, string>? onSkipped = null, CancellationToken cancellation = default,
        long? engineImages = null)
    {
        options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device);
        var loaded = ModelFile.LoadForInference(modelPath);
        loaded.Network.to(device);
        using var network = InferenceNetwork.Open(loaded, options.Engine, device, options.Threads, engineImages ?? data.Images.Count,
            options.Precision);
        var info = loaded.Info;
        var skipped = new SkippedImages();
        if (onSkipped is not null) skipped.Skipped += onSkipped;
        var decoder = new ImageDecoder(info.Preprocessing, options.MaxPixels);
        var loader = new BatchLoader(data.Images, decoder, cache: null, skipped) { Strict = options.Strict };
        var result = Evaluator.Evaluate(network, loader, new EvaluationSettings(info.ClassNames, info.Preprocessing, options.BatchSize)
        {
            TopK = options.TopKFor(info.ClassNames.Count),
            Device = device,
            Augmentation = options.TestTimeAugmentation ?? info.TestTimeAugmentation,
            OnBatch = done => onProgress?.Invoke(done, data.Images.Count),
        }, cancellation);
        if (result.Images == 0)
            throw new ClassifierException(data.Images.Count == 0
                ? $"Data folder '{data.Root}' has no image files of the model's classes; nothing was evaluated."
                : $"None of the {data.Images.Count:N0} image file(s) in '{data.Root}' could be read (see the warnings above); nothing was evaluated.");
        return new EvaluationReport(modelPath, info, data, result, skipped.All) { EngineNote = network.FallbackReason };
    }

    /// <summary>
    /// Relabels <paramref name="data"/> with the model's class indices. Every class folder must be one of the
    /// model's classes (otherwise the error lists the unknown ones); model classes without a folder simply get no
    /// images.
    /// </summary>
    public static Dataset MapToModelClasses(Dataset data, IReadOnlyList<string> modelClasses)
    {
        var unknown = data.ClassNames.Where(c => !modelClasses.Contains(c, StringComparer.Ordinal)).ToList();
        // A folder of train/ and val/ folders (the layout train accepts) given where one split belongs.
        if (unknown.Count > 0 && unknown.Contains("train", StringComparer.Ordinal)
            && unknown.FirstOrDefault(c => c is "val" or "validation") is { } validation)
            throw new ClassifierException(
                $"Data folder '{data.Root}' holds train/ and {validation}/ folders, not the model's classes; did you mean {Path.Combine(data.Root, validation)}?");
        if (unknown.Count > 0)
            throw new ClassifierException(
                $"Data folder '{data.Root}' has class folder(s) the model does not know: {string.Join(", ", unknown)}. " +
                $"The model's classes are: {string.Join(", ", modelClasses)}.");
        var index = modelClasses.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var images = data.Images.Select(img => img with { Label = index[data.ClassNames[img.Label]] }).ToList();
        return new Dataset(data.Root, modelClasses, images, data.EmptyClasses);
    }
}
