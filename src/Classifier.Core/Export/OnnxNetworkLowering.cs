using Classifier.Core.Model.Zoo;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Walks a network's module tree and writes each module as ONNX nodes. Sequential containers and leaf layers
/// (<see cref="OnnxLayers"/>) are generic; a module whose <c>forward</c> is code is written by the zoo entry that
/// knows its type (<see cref="NetworkSpec.OnnxForward"/>), through this class as its <see cref="IOnnxWriter"/>. Any
/// other module type stops the export with one error naming it, never a graph that silently computes something else.
/// </summary>
internal sealed class OnnxNetworkLowering : IOnnxWriter
{
    private readonly OnnxGraph _graph;
    private readonly OnnxLayers _layers;

    public OnnxNetworkLowering(OnnxGraph graph)
    {
        _graph = graph;
        _layers = new OnnxLayers(graph);
    }

    /// <summary>Emits <paramref name="module"/> (at <paramref name="path"/>, "" for the root) on <paramref name="input"/>; returns the output's name.</summary>
    public string Emit(nn.Module module, string path, string input)
    {
        if (module.training)
            throw new InvalidOperationException("ONNX export needs the network in eval mode.");
        if (_layers.TryEmit(module, path, input) is { } output) return output;
        if (module is Sequential sequential) return Chain(sequential, path, input);
        foreach (var spec in NetworkRegistry.All)
            if (spec.OnnxForward?.Invoke(module, path, input, this) is { } written) return written;
        var type = module.GetType();
        throw OnnxLayers.Unsupported(Display(path), type.FullName ?? type.Name, "this module type has no ONNX translation in classify");
    }

    /// <inheritdoc/>
    public string Child(nn.Module parent, string path, string name, string input, string? writtenAs = null)
    {
        var child = parent.named_children().FirstOrDefault(c => c.name == name).module
            ?? throw OnnxLayers.Unsupported(Display(path), parent.GetType().FullName!, $"it has no child module '{name}' as its forward expects");
        return Emit(child, Join(path, writtenAs ?? name), input);
    }

    /// <inheritdoc/>
    public string Node(string opType, string path, string name, params string[] inputs) => _graph.Add(opType, Join(path, name), inputs);

    /// <inheritdoc/>
    public string Flatten(string path, string name, string input) => _layers.FlattenFrom(1, -1, Join(path, name), input);

    /// <inheritdoc/>
    public string GlobalAveragePool(string path, string name, string input) => _layers.GlobalAveragePool([1, 1], Join(path, name), input);

    /// <inheritdoc/>
    public ClassifierException Unsupported(string path, nn.Module module, string why) =>
        OnnxLayers.Unsupported(Display(path), module.GetType().FullName ?? module.GetType().Name, why);

    private string Chain(Sequential sequential, string path, string input)
    {
        var x = input;
        foreach (var (name, child) in sequential.named_children())
            x = Emit(child, Join(path, name), x);
        return x;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Display(string path) => path.Length == 0 ? "(the network)" : path;
}
