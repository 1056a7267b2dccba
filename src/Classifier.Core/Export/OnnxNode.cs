namespace Classifier.Core.Export;

/// <summary>One ONNX node: an operator applied to named values, producing one named value.</summary>
/// <param name="OpType">Operator in the default domain (Conv, Relu, ...).</param>
/// <param name="Name">Node name: the module path it comes from, unique in the graph.</param>
/// <param name="Inputs">Names of the input values (graph input, initializers or other nodes' outputs).</param>
/// <param name="Output">Name of the value it produces.</param>
/// <param name="Attributes">Operator attributes.</param>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, string Output, IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>An operator attribute: an integer, a list of integers or a float.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, long[]? Ints = null, float? Float = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
}
