using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// An ONNX graph under construction: nodes in execution order and the initializers (weights and constants) they
/// read. Values are named by the module path they come from, so a graph can be read side by side with the state dict.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxInitializer> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraph(string inputName) => _names.Add(inputName);

    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    public IReadOnlyList<OnnxInitializer> Initializers => _initializers;

    /// <summary>Adds a node named <paramref name="name"/> (made unique) and returns the name of its output.</summary>
    public string Add(string opType, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        var unique = Unique(name);
        _nodes.Add(new OnnxNode(opType, unique, inputs, unique, attributes));
        return unique;
    }

    /// <summary>Adds a weight tensor (float32, or int64) under its state-dict name and returns that name.</summary>
    public string Weight(string name, Tensor tensor)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"ONNX value '{name}' is defined twice.");
        _initializers.Add(OnnxInitializer.Of(name, tensor));
        return name;
    }

    /// <summary>Adds a constant float32 tensor of the given shape and returns its (unique) name.</summary>
    public string Constant(string name, float[] values, params long[] shape)
    {
        var unique = Unique(name);
        _initializers.Add(OnnxInitializer.Float32(unique, values, shape));
        return unique;
    }

    /// <summary>Adds a constant int64 tensor of the given shape and returns its (unique) name.</summary>
    public string Constant(string name, long[] values, params long[] shape)
    {
        var unique = Unique(name);
        _initializers.Add(OnnxInitializer.Int64(unique, values, shape));
        return unique;
    }

    /// <summary>Renames the output of the last node to <paramref name="name"/> (the graph output's public name).</summary>
    public void NameLastOutput(string name)
    {
        var last = _nodes[^1];
        if (!_names.Add(name))
            throw new InvalidOperationException($"ONNX value '{name}' is defined twice.");
        _nodes[^1] = last with { Output = name };
    }

    private string Unique(string name)
    {
        if (_names.Add(name)) return name;
        for (int i = 2; ; i++)
            if (_names.Add($"{name}_{i}")) return $"{name}_{i}";
    }
}
