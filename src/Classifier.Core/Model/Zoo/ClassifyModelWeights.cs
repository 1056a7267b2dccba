using Classifier.Core.Runs;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Starting weights from a model classify trained (<c>--weights RUN_DIR</c> or <c>--weights model.cls</c>): fastai's
/// "fine-tune what you trained before" and Keras' <c>load_weights</c>. The architecture must be the one being trained;
/// every layer is copied except the classifier layer when the classes differ (other names, order or count), which
/// then stays freshly initialised for the new classes.
/// </summary>
public static class ClassifyModelWeights
{
    /// <summary>Whether <paramref name="weights"/> names a run folder or a classify model file rather than a state dict.</summary>
    public static bool Matches(string weights) =>
        Directory.Exists(weights) || weights.EndsWith(ModelFile.Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>The model file <paramref name="weights"/> means (a run's best.cls, else last.cls); throws naming what is missing.</summary>
    public static string Resolve(string weights)
    {
        if (Directory.Exists(weights))
        {
            var run = RunFolder.Open(weights);
            if (File.Exists(run.BestModel)) return run.BestModel;
            if (File.Exists(run.LastModel)) return run.LastModel;
            throw new ClassifierException(
                $"--weights '{weights}' is a folder without {RunFolder.BestModelName} or {RunFolder.LastModelName}; give a run folder that finished an epoch, a .cls model file, a state dict (.pth, .pt, .safetensors) or 'imagenet'.");
        }
        if (!File.Exists(weights))
            throw new ClassifierException($"--weights '{weights}' does not exist; give a run folder, a .cls model file, a state dict (.pth, .pt, .safetensors) or 'imagenet'.");
        return Path.GetFullPath(weights);
    }

    /// <summary>
    /// Checks before any work starts that <paramref name="weights"/> is a classify model of <paramref name="spec"/>'s
    /// architecture (only its info is read).
    /// </summary>
    public static void CheckSource(string weights, NetworkSpec spec)
    {
        var path = Resolve(weights);
        var info = ModelFile.ReadInfo(path);
        if (info.Architecture != spec.Name)
            throw new ClassifierException(
                $"--weights '{weights}': {path} is a {info.Architecture} model, not {spec.Name}; give --model {info.Architecture} to continue from it, or weights of {spec.Name}.");
    }

    /// <summary>
    /// Copies the weights of the model <paramref name="weights"/> means into <paramref name="network"/> (built by
    /// <paramref name="spec"/> for <paramref name="classNames"/>) and says in one line what happened to the classifier layer.
    /// </summary>
    public static string Load(string weights, NetworkSpec spec, nn.Module<Tensor, Tensor> network, IReadOnlyList<string> classNames)
    {
        CheckSource(weights, spec);
        var path = Resolve(weights);
        using var source = ModelFile.LoadForInference(path);
        bool sameClasses = source.Info.ClassNames.SequenceEqual(classNames, StringComparer.Ordinal);
        var head = new HashSet<string>(StringComparer.Ordinal) { $"{spec.ClassifierLayer}.weight", $"{spec.ClassifierLayer}.bias" };
        using var scope = NewDisposeScope();
        var from = source.Network.state_dict();
        var to = network.state_dict();
        // The only layer allowed to differ is the classifier; anything else (e.g. the seed CNN's dense layer at
        // another --image-size) would make the copy meaningless.
        var misshaped = to.Where(p => !head.Contains(p.Key) && from.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key} [{string.Join(", ", from[p.Key].shape)}] (network [{string.Join(", ", p.Value.shape)}])").ToList();
        if (misshaped.Count > 0)
            throw new ClassifierException(
                $"--weights '{weights}': {path} does not fit this {spec.Name} ({string.Join("; ", misshaped.Take(4))}); " +
                $"train with the --image-size it was trained at ({source.Info.Preprocessing.ImageSize}).");
        using (no_grad())
            foreach (var (key, tensor) in to)
                if (from.TryGetValue(key, out var value) && (sameClasses || !head.Contains(key)))
                    tensor.copy_(value);

        string shown = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return sameClasses
            ? $"Weights: {shown} (epoch {source.Info.Epoch}) loaded in full; same {classNames.Count} classes, classifier layer {spec.ClassifierLayer} kept."
            : $"Weights: {shown} (epoch {source.Info.Epoch}) loaded; its classes ({Classes(source.Info.ClassNames)}) differ from the data's ({Classes(classNames)}), so classifier layer {spec.ClassifierLayer} is replaced by a new one for {classNames.Count} classes.";
    }

    private static string Classes(IReadOnlyList<string> names) =>
        names.Count <= 4 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))}, ... {names.Count} in all";
}
