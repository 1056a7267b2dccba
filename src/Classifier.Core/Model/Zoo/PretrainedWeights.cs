using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Zoo;

/// <summary>
/// Starting weights for training (<c>--weights</c>): torchvision's published ImageNet weights (<c>imagenet</c>,
/// <c>imagenet1k-v1</c>, <c>imagenet1k-v2</c>), fetched through PyTorch's cache; a zoo entry's built-in weights
/// (<c>resnet18-cntk</c>'s <c>imagenet</c>); or a torchvision-layout state dict file as
/// <c>torch.save(model.state_dict(), "x.pth")</c> writes it (also a classify <c>export --format pt</c> file, whose dict
/// holds it under <c>state_dict</c>), or a .safetensors file. Keys and shapes must match the network exactly, except
/// the classifier layer: kept when its shape fits the data's classes, otherwise left freshly initialised.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>The <c>--weights</c> value naming a network's ImageNet weights (torchvision's DEFAULT, or the built-in ones).</summary>
    public const string ImageNet = "imagenet";

    /// <summary>The zoo entry that has ImageNet weights built in, needing no download.</summary>
    public const string ImageNetModel = "resnet18-cntk";

    private const int NamesShown = 6;

    /// <summary>
    /// What <paramref name="weights"/> names for <paramref name="spec"/>, without reading or fetching anything: a weight
    /// set name (<c>imagenet</c>, <c>imagenet1k-v1</c>, <c>imagenet1k-v2</c>; torchvision's spellings
    /// <c>IMAGENET1K_V1</c> and <c>DEFAULT</c> too), else a file that must exist. The one place a <c>--weights</c> value
    /// is interpreted. Throws <see cref="ClassifierException"/> with what to do instead.
    /// </summary>
    public static StartingWeights Resolve(string weights, NetworkSpec spec)
    {
        if (spec.OfflineWeights.ContainsKey(weights))
            return new StartingWeights { Kind = StartingWeightsKind.BuiltIn, Name = weights };
        string set = weights.Trim().ToLowerInvariant().Replace('_', '-');
        var published = PublishedWeights.Of(spec);
        if (IsSetName(set))
        {
            var chosen = set is ImageNet or "default" ? published.FirstOrDefault(w => w.IsDefault) : published.FirstOrDefault(w => w.Name == set);
            if (chosen is not null)
                return new StartingWeights { Kind = StartingWeightsKind.TorchVision, Name = chosen.Name, TorchVision = chosen, FileName = chosen.FileName };
            if (published.Count > 0)
                throw new ClassifierException(
                    $"--weights {weights}: torchvision publishes {string.Join(" and ", published.Select(w => w.Name))} for {spec.Name} ({ImageNet} = {published.First(w => w.IsDefault).Name}); see classify models.");
            if (spec.OfflineWeights.Count > 0)
                throw new ClassifierException($"--weights {weights}: {spec.Name}'s ImageNet weights are built in; name them --weights {string.Join(" or ", spec.OfflineWeights.Keys)}.");
            var withWeights = NetworkRegistry.All.Where(n => n.OfflineWeights.Count > 0 || PublishedWeights.Of(n).Count > 0).Select(n => n.Name);
            throw new ClassifierException(
                $"--weights {weights}: there are no pretrained weights for {spec.Name}; networks with ImageNet weights: {string.Join(", ", withWeights)} (see classify models), or give --weights FILE with a state dict.");
        }
        if (Directory.Exists(weights))
            throw new ClassifierException($"--weights '{weights}' is a folder; give a state dict file (.pth, .pt or .safetensors) or '{ImageNet}'.");
        if (!File.Exists(weights))
            throw new ClassifierException($"--weights '{weights}' does not exist; give a state dict file (.pth, .pt or .safetensors) or '{ImageNet}'.");
        return new StartingWeights { Kind = StartingWeightsKind.File, Name = Path.GetFileName(weights), Path = weights, FileName = Path.GetFileName(weights) };
    }

    /// <summary>Checks that <paramref name="weights"/> can be used with <paramref name="spec"/> before any work starts.</summary>
    public static void CheckSource(string weights, NetworkSpec spec) => Resolve(weights, spec);

    /// <summary>
    /// Resolves <paramref name="weights"/> and makes its file available: torchvision's weights from PyTorch's cache or
    /// downloaded into it (<paramref name="progress"/> hears about the download), a given file hashed. The result names
    /// the local file and its SHA-256, which the model file records.
    /// </summary>
    public static StartingWeights Prepare(string weights, NetworkSpec spec, Func<WeightsFetchSettings> settings,
        Action<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        var resolved = Resolve(weights, spec);
        switch (resolved.Kind)
        {
            case StartingWeightsKind.TorchVision:
                var fetched = new WeightsCache(settings()).Fetch(resolved.TorchVision!, progress, cancellation);
                return resolved with { Path = fetched.Path, Sha256 = fetched.Sha256 };
            case StartingWeightsKind.File:
                return resolved with { Sha256 = HashFile(resolved.Path!) };
            default:
                return resolved;
        }
    }

    /// <summary>
    /// Loads <paramref name="weights"/> into <paramref name="network"/> (built by <paramref name="spec"/>), fetching them
    /// first when they are torchvision's, and says in one line what happened to the classifier layer.
    /// </summary>
    public static string Load(string weights, NetworkSpec spec, nn.Module<Tensor, Tensor> network) =>
        Load(Prepare(weights, spec, WeightsFetchSettings.FromEnvironment), spec, network);

    /// <summary>
    /// Loads prepared <paramref name="weights"/> into <paramref name="network"/> (built by <paramref name="spec"/>) and
    /// says in one line what happened to the classifier layer. Throws <see cref="ClassifierException"/> naming the file
    /// and the missing, unexpected or mis-shaped keys.
    /// </summary>
    public static string Load(StartingWeights weights, NetworkSpec spec, nn.Module<Tensor, Tensor> network)
    {
        long classes = NetworkHead.Outputs(network, spec.ClassifierLayer);
        if (weights.Kind == StartingWeightsKind.BuiltIn)
        {
            spec.OfflineWeights[weights.Name](network);
            return $"Weights: {weights.Name} ({spec.Name}'s built-in pretrained backbone); classifier layer {spec.ClassifierLayer} initialised for {classes} classes.";
        }
        string path = weights.Path ?? throw new InvalidOperationException("Starting weights are loaded after Prepare.");
        string origin = weights.TorchVision is { } tv
            ? $"{tv.Describe()} from {Path.GetDirectoryName(path)}"
            : Path.GetFileName(path);
        using var scope = NewDisposeScope();
        var target = network.state_dict();
        // Bound for what a weights file's storages may claim: the network's tensors as float64, twice (a different
        // classifier head, such as ImageNet's 1000 classes, fits in that), plus 64 MB.
        long maxDataBytes = target.Values.Sum(t => t.numel()) * 8 * 2 + (64L << 20);
        var source = ReadStateDict(path, maxDataBytes);
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
                $"--weights '{path}' does not fit {spec.Name}: {string.Join("; ", problems)}. Give a state dict of torchvision's {spec.Name} (see docs/transfer-learning.md).");
        }

        using (no_grad())
            foreach (var (key, tensor) in source)
                if (headFits || !head.Contains(key))
                    target[key].copy_(tensor);

        if (headFits)
            return $"Weights: {origin} loaded in full; its classifier layer {spec.ClassifierLayer} fits the {classes} classes and is kept.";
        var fileClasses = source.TryGetValue($"{spec.ClassifierLayer}.weight", out var w) ? $"{w.shape[0]} outputs" : "none";
        return $"Weights: {origin} loaded; its classifier layer {spec.ClassifierLayer} ({fileClasses}) is replaced by a new one for {classes} classes.";
    }

    /// <summary>
    /// The torchvision weight sets <paramref name="request"/> names for <c>classify models --fetch</c>: a network (its
    /// DEFAULT), <c>NETWORK:SET</c> (<c>resnet50:imagenet1k-v1</c>), or <c>all</c> (every set of every network).
    /// </summary>
    public static IReadOnlyList<TorchVisionWeights> Select(string request)
    {
        if (request.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return NetworkRegistry.All.SelectMany(PublishedWeights.Of).ToList();
        int colon = request.IndexOf(':');
        var spec = NetworkRegistry.Get(colon < 0 ? request.Trim() : request[..colon].Trim());
        if (PublishedWeights.Of(spec).Count == 0)
            throw new ClassifierException(spec.OfflineWeights.Count > 0
                ? $"'{request}': {spec.Name}'s ImageNet weights are built in; there is nothing to fetch."
                : $"'{request}': torchvision publishes no weights for {spec.Name}; see classify models.");
        string name = colon < 0 ? ImageNet : request[(colon + 1)..];
        if (!IsSetName(name.Trim().ToLowerInvariant().Replace('_', '-')))
            throw new ClassifierException($"'{request}': '{name}' is not a weight set; give NETWORK or NETWORK:SET with SET one of {string.Join(", ", PublishedWeights.Of(spec).Select(w => w.Name))} (see classify models).");
        return [Resolve(name, spec).TorchVision!];
    }

    /// <summary>torchvision's weight sets for <paramref name="spec"/> (as <c>classify models</c> lists them).</summary>
    public static IReadOnlyList<TorchVisionWeights> Published(NetworkSpec spec) => PublishedWeights.Of(spec);

    private static bool IsSetName(string normalized) =>
        normalized is ImageNet or "default" || normalized.StartsWith("imagenet1k-", StringComparison.Ordinal);

    // A named pipe or device given as --weights is refused before hashing would block on it.
    private static string HashFile(string path) => Data.InputFile.Sha256(path, $"--weights '{path}'");

    /// <summary>
    /// The state dict in a .pth/.pt (PyTorch's zip pickle, or its legacy format) or .safetensors file, as tensors in
    /// the current dispose scope.
    /// </summary>
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
            if (Pretrained.LegacyPth.IsTar(stream)) throw Pretrained.LegacyPth.TarRefused($"--weights '{path}'");
            if (Pretrained.LegacyPth.IsLegacy(stream)) return Pretrained.LegacyPth.Read(stream, $"--weights '{path}'", maxDataBytes);
            var scan = Pretrained.PthArchive.Check(stream, $"--weights '{path}'", maxDataBytes);
            if (scan.HasViews)
            {
                // Tensors sharing a storage (legal in PyTorch): the pickle library would build them wrongly, so they are
                // copied out of their checked storages here.
                using var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
                return Pretrained.PthPickle.ReadViews(zip, scan, $"--weights '{path}'");
            }
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
                $"--weights '{path}' could not be read as a PyTorch state dict (.pth/.pt, as torch.save writes) or .safetensors file: {ForUsers(e.Message)}", e);
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
