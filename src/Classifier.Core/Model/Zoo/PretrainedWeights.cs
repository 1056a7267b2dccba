using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Starting weights for training (<c>--weights</c>): a zoo entry's built-in pretrained weights (<c>imagenet</c>), or a
/// torchvision-layout state dict file as <c>torch.save(model.state_dict(), "x.pth")</c> writes it (also a classify
/// <c>export --format pt</c> file, whose dict holds it under <c>state_dict</c>), or a .safetensors file. Keys and shapes
/// must match the network exactly, except the classifier layer: kept when its shape fits the data's classes, otherwise
/// left freshly initialised.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>The <c>--weights</c> value naming built-in ImageNet weights.</summary>
    public const string ImageNet = "imagenet";

    /// <summary>The zoo entry that has ImageNet weights built in (named in the hint for the others).</summary>
    public const string ImageNetModel = "resnet18-cntk";

    private const int NamesShown = 6;

    /// <summary>Checks that <paramref name="weights"/> can be used with <paramref name="spec"/> before any work starts.</summary>
    public static void CheckSource(string weights, NetworkSpec spec)
    {
        if (spec.OfflineWeights.ContainsKey(weights)) return;
        if (weights == ImageNet)
            throw new ClassifierException(
                $"--weights imagenet: no ImageNet weights for {spec.Name} are available offline; use --model {ImageNetModel} (ImageNet ResNet-18 built in), or --weights FILE with a torchvision state dict (see docs/transfer-learning.md).");
        if (Directory.Exists(weights))
            throw new ClassifierException($"--weights '{weights}' is a folder; give a state dict file (.pth, .pt or .safetensors) or 'imagenet'.");
        if (!File.Exists(weights))
            throw new ClassifierException($"--weights '{weights}' does not exist; give a state dict file (.pth, .pt or .safetensors) or 'imagenet'.");
    }

    /// <summary>
    /// Loads <paramref name="weights"/> into <paramref name="network"/> (built by <paramref name="spec"/>) and says in
    /// one line what happened to the classifier layer. Throws <see cref="ClassifierException"/> naming the file and the
    /// missing, unexpected or mis-shaped keys.
    /// </summary>
    public static string Load(string weights, NetworkSpec spec, nn.Module<Tensor, Tensor> network)
    {
        CheckSource(weights, spec);
        long classes = NetworkHead.Outputs(network, spec.ClassifierLayer);
        if (spec.OfflineWeights.TryGetValue(weights, out var loadBuiltIn))
        {
            loadBuiltIn(network);
            return $"Weights: {weights} ({spec.Name}'s built-in pretrained backbone); classifier layer {spec.ClassifierLayer} initialised for {classes} classes.";
        }
        using var scope = NewDisposeScope();
        var target = network.state_dict();
        // Bound for what a weights file's storages may claim: the network's tensors as float64, twice (a different
        // classifier head, such as ImageNet's 1000 classes, fits in that), plus 64 MB.
        long maxDataBytes = target.Values.Sum(t => t.numel()) * 8 * 2 + (64L << 20);
        var source = ReadStateDict(weights, maxDataBytes);
        var head = new HashSet<string> { $"{spec.ClassifierLayer}.weight", $"{spec.ClassifierLayer}.bias" };
        bool headFits = head.All(k => source.TryGetValue(k, out var t) && t.shape.SequenceEqual(target[k].shape));

        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !head.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var misshaped = source.Where(p => target.TryGetValue(p.Key, out var t) && !head.Contains(p.Key) && !p.Value.shape.SequenceEqual(t.shape))
            .Select(p => $"{p.Key} {Shape(p.Value)} (network {Shape(target[p.Key])})").ToList();
        if (missing.Count + unexpected.Count + misshaped.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"missing {missing.Count} key(s): {Names(missing)}");
            if (unexpected.Count > 0) problems.Add($"unexpected {unexpected.Count} key(s): {Names(unexpected)}");
            if (misshaped.Count > 0) problems.Add($"{misshaped.Count} shape mismatch(es): {Names(misshaped)}");
            throw new ClassifierException(
                $"--weights '{weights}' does not fit {spec.Name}: {string.Join("; ", problems)}. Give a state dict of torchvision's {spec.Name} (see docs/transfer-learning.md).");
        }

        using (no_grad())
            foreach (var (key, tensor) in source)
                if (headFits || !head.Contains(key))
                    target[key].copy_(tensor);

        string file = Path.GetFileName(weights);
        if (headFits)
            return $"Weights: {file} loaded in full; its classifier layer {spec.ClassifierLayer} fits the {classes} classes and is kept.";
        var fileClasses = source.TryGetValue($"{spec.ClassifierLayer}.weight", out var w) ? $"{w.shape[0]} outputs" : "none";
        return $"Weights: {file} loaded; its classifier layer {spec.ClassifierLayer} ({fileClasses}) is replaced by a new one for {classes} classes.";
    }

    /// <summary>The state dict in a .pth/.pt (PyTorch zip pickle) or .safetensors file, as tensors in the current dispose scope.</summary>
    private static Dictionary<string, Tensor> ReadStateDict(string path, long maxDataBytes)
    {
        try
        {
            using var stream = Data.InputFile.OpenRead(path, $"--weights '{path}'");
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                Pretrained.SafetensorsHeader.Check(stream, $"--weights '{path}'");
                return Safetensors.LoadStateDict(stream);
            }
            Pretrained.PthArchive.Check(stream, $"--weights '{path}'", maxDataBytes);
            var table = PyTorchUnpickler.UnpickleStateDict(stream)
                        ?? throw new ClassifierException($"--weights '{path}' holds None instead of a state dict; give torch.save(model.state_dict(), ...).");
            if (table["state_dict"] is Hashtable nested) table = nested;
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string key || entry.Value is not Tensor tensor)
                    throw new ClassifierException($"--weights '{path}' holds '{entry.Key}', which is not a named tensor; give a state dict (torch.save(model.state_dict(), ...)).");
                result[key] = tensor;
            }
            return result;
        }
        catch (ClassifierException)
        {
            throw;
        }
        // The readers dereference what the file names without checking: None (pickle) or null (safetensors) where a
        // tensor, its storage or its storage type belongs.
        catch (NullReferenceException e) when (e.TargetSite?.DeclaringType?.Assembly == typeof(PyTorchUnpickler).Assembly
                                               || e.TargetSite?.DeclaringType?.Assembly == typeof(Razorvine.Pickle.Unpickler).Assembly)
        {
            throw new ClassifierException(
                $"--weights '{path}' holds None (null) where a tensor, its storage or its type belongs; it is not a state dict as torch.save or safetensors write it.", e);
        }
        // The file is untrusted input to a third-party parser (zip, pickle, JSON header), which fails in many ways.
        catch (Exception e) when (e is IOException or InvalidDataException or NotImplementedException or NotSupportedException
                                      or InvalidCastException or ArgumentException or FormatException or KeyNotFoundException
                                      or InvalidOperationException or IndexOutOfRangeException or OverflowException
                                      or Razorvine.Pickle.PickleException or System.Text.Json.JsonException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            throw new ClassifierException(
                $"--weights '{path}' could not be read as a PyTorch state dict (.pth/.pt zip, as torch.save writes) or .safetensors file: {ForUsers(e.Message)}", e);
        }
    }

    /// <summary>
    /// The pickle library's message without its advice to developers ("Fix it by registering a custom
    /// IObjectConstructor"), which a user cannot act on: the file names a class that a state dict never holds.
    /// </summary>
    internal static string ForUsers(string message)
    {
        int advice = message.IndexOf("IObjectConstructor", StringComparison.Ordinal);
        if (advice < 0) return message;
        int sentence = Math.Max(message.LastIndexOf('.', advice), Math.Max(message.LastIndexOf('(', advice), message.LastIndexOf(';', advice)));
        var kept = (sentence > 0 ? message[..sentence] : "the file names a Python class").TrimEnd(' ', '(', ';', ',');
        return kept + " (a state dict holds only tensors, numbers and names; this file asks for other Python objects)";
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static string Names(List<string> names) =>
        string.Join(", ", names.Order(StringComparer.Ordinal).Take(NamesShown)) + (names.Count > NamesShown ? $", ... ({names.Count - NamesShown} more)" : "");
}
