using System.Collections.Specialized;
using Classifier.Core.Model;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes the network's state dict for PyTorch: the keys and dtypes TorchSharp's <c>state_dict()</c> gives, which for the
/// TorchVision networks are exactly torchvision's (float32 tensors, int64 <c>num_batches_tracked</c> scalars), so
/// <c>load_state_dict(..., strict=True)</c> accepts them; for <see cref="Model.Zoo.SeedCnn"/> (conv1.weight ... fc2.bias)
/// they are the attribute names of the PyTorch rebuild in docs/export.md.
/// </summary>
internal static class PyTorchExport
{
    /// <summary>
    /// A <c>torch.load</c>-able pickle (TorchSharp.PyBridge) holding a dict: <c>state_dict</c>, <c>class_names</c>
    /// (list of str) and the other <see cref="ExportMetadata"/> entries as strings (<c>preprocessing</c> is JSON text).
    /// Only tensors, lists, ints and strings, so it loads with <c>weights_only=True</c> even in PyTorch 1.13, whose
    /// safe unpickler refuses floats. Both dicts keep their order (the state dict's is the network's, as
    /// <c>torch.save(model.state_dict())</c> writes it), and the archive's entries carry a fixed time, so the same model
    /// exports to the same bytes (where the output is a file).
    /// </summary>
    public static void WritePt(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info)
    {
        using var scope = NewDisposeScope();
        var stateDict = new OrderedDictionary();
        foreach (var (name, tensor) in InPyTorchOrder(network, Model.Zoo.NetworkRegistry.Find(info.Architecture)?.Head))
            stateDict[name] = tensor.detach().cpu();
        var checkpoint = new OrderedDictionary();
        foreach (var (key, value) in ExportMetadata.For(info, network)) checkpoint[key] = value;
        checkpoint["state_dict"] = stateDict;
        checkpoint["class_names"] = info.ClassNames.ToList();
        PyTorchPickler.PickleStateDict(stream, checkpoint, leaveOpen: true);
        ZipTimestamps.Normalize(stream);
    }

    /// <summary>
    /// The state dict in the order PyTorch's <c>state_dict()</c> gives it: module by module, each module's parameters,
    /// then its buffers, then its submodules'. TorchSharp lists the parameters in that order but every buffer after
    /// them; code that pairs two state dicts by position (<c>zip(a.items(), b.items())</c>) needs PyTorch's order. A
    /// module's buffers go after its last parameter (or, where it has none, before its first submodule's), and the
    /// classifier <paramref name="head"/> (<see cref="Model.Zoo.NetworkSpec.Head"/>) last, where torchvision has it.
    /// </summary>
    internal static List<(string Name, Tensor Tensor)> InPyTorchOrder(nn.Module network, string? head)
    {
        var parameterNames = network.named_parameters().Select(p => p.name).ToHashSet();
        var entries = network.state_dict().Select(e => (Name: e.Key, Tensor: e.Value)).ToList();
        var parameters = entries.Where(e => parameterNames.Contains(e.Name)).ToList();
        var buffers = entries.Where(e => !parameterNames.Contains(e.Name)).ToLookup(e => Owner(e.Name));
        var lastOwnParameter = new Dictionary<string, int>();
        for (int i = 0; i < parameters.Count; i++) lastOwnParameter[Owner(parameters[i].Name)] = i;
        var withoutParameters = buffers.Select(g => g.Key).Where(m => !lastOwnParameter.ContainsKey(m)).ToList();

        var ordered = new List<(string, Tensor)>(entries.Count);
        var placed = new HashSet<string>();
        void Place(string module)
        {
            if (placed.Add(module)) ordered.AddRange(buffers[module]);
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var (name, tensor) = parameters[i];
            foreach (var module in withoutParameters.Where(m => m.Length == 0 || name.StartsWith(m + ".", StringComparison.Ordinal)))
                Place(module);
            ordered.Add((name, tensor));
            if (lastOwnParameter[Owner(name)] == i) Place(Owner(name));
        }
        foreach (var module in buffers.Select(g => g.Key)) Place(module);
        // torchvision registers the classifier last; TorchSharp's MobileNets register it before the features.
        return head is null ? ordered : [.. ordered.Where(e => !InHead(e.Item1)), .. ordered.Where(e => InHead(e.Item1))];

        bool InHead(string name) => name.StartsWith(head + ".", StringComparison.Ordinal);
    }

    private static string Owner(string key) => key.LastIndexOf('.') is var dot and >= 0 ? key[..dot] : "";

    /// <summary>A safetensors file with the state dict and the <see cref="ExportMetadata"/> as <c>__metadata__</c>.</summary>
    public static void WriteSafetensors(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info) =>
        SafetensorsFile.Write(stream, network.state_dict().ToList(), ExportMetadata.For(info, network));
}
