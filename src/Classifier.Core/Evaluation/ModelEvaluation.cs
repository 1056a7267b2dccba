using Classifier.Core.Data;
using Classifier.Core.Model;
using Classifier.Core.Runs;
using Classifier.Core.Torch;
using TorchSharp;

namespace Classifier.Core.Evaluation;

/// <summary>The standalone evaluation behind <c>classify eval</c>.</summary>
public static class ModelEvaluation
{
    /// <summary>
    /// Loads the model, reads the data folder with the model's own preprocessing, maps its class folders to the
    /// model's classes by name and evaluates. <paramref name="onProgress"/> gets (images done, images in total).
    /// </summary>
    public static EvaluationReport Run(EvalOptions options, Action<long, long>? onProgress = null,
        Action<string, string>? onSkipped = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var modelPath = RunFolder.ResolveModel(options.Model);
        var info = ModelFile.ReadInfo(modelPath);
        var data = MapToModelClasses(DatasetScanner.Scan(options.DataDir), info.ClassNames);
        return Evaluate(modelPath, data, options, onProgress, onSkipped, cancellation);
    }

    /// <summary>
    /// Evaluates the model file <paramref name="modelPath"/> on <paramref name="data"/>, whose labels are already the
    /// model's class indices (a training run's validation set, or a folder passed through
    /// <see cref="MapToModelClasses"/>). <see cref="EvalOptions.Model"/> and <see cref="EvalOptions.DataDir"/> are not used.
    /// </summary>
    public static EvaluationReport Evaluate(string modelPath, Dataset data, EvalOptions options,
        Action<long, long>? onProgress = null, Action<string, string>? onSkipped = null, CancellationToken cancellation = default)
    {
        options.Validate();
        TorchRuntime.Initialize(options.Threads);
        var device = DeviceSelection.Resolve(options.Device); // --device (issue 7)
        using var loaded = ModelFile.Load(modelPath);
        loaded.Network.to(device);
        var info = loaded.Info;
        var skipped = new SkippedImages();
        if (onSkipped is not null) skipped.Skipped += onSkipped;
        var decoder = new ImageDecoder(info.Preprocessing, options.MaxPixels);
        var loader = new BatchLoader(data.Images, decoder, cache: null, skipped) { Strict = options.Strict };
        var result = Evaluator.Evaluate(loaded.Network, loader, info.ClassNames, info.Preprocessing,
            options.BatchSize, done => onProgress?.Invoke(done, data.Images.Count), cancellation,
            options.TopKFor(info.ClassNames.Count), device, options.TestTimeAugmentation ?? info.TestTimeAugmentation);
        return new EvaluationReport(modelPath, info, data, result, skipped.All);
    }

    /// <summary>
    /// Relabels <paramref name="data"/> with the model's class indices. Every class folder must be one of the
    /// model's classes (otherwise the error lists the unknown ones); model classes without a folder simply get no
    /// images.
    /// </summary>
    public static Dataset MapToModelClasses(Dataset data, IReadOnlyList<string> modelClasses)
    {
        var unknown = data.ClassNames.Where(c => !modelClasses.Contains(c, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new ClassifierException(
                $"Data folder '{data.Root}' has class folder(s) the model does not know: {string.Join(", ", unknown)}. " +
                $"The model's classes are: {string.Join(", ", modelClasses)}.");
        var index = modelClasses.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var images = data.Images.Select(img => img with { Label = index[data.ClassNames[img.Label]] }).ToList();
        return new Dataset(data.Root, modelClasses, images, data.EmptyClasses);
    }
}
