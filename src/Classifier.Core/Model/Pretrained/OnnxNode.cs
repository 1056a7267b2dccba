namespace Classifier.Core.Model.Pretrained;

/// <summary>One ONNX NodeProto: an operator applied to named values.</summary>
/// <param name="Name">Node name (may be empty).</param>
/// <param name="OpType">Operator, e.g. "Conv".</param>
/// <param name="Inputs">Input value names in operator order; an omitted optional input is "".</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Attributes">Attributes by name.</param>
internal sealed record OnnxNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The integer list attribute <paramref name="name"/>, or null when the node has none.</summary>
    public IReadOnlyList<long>? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints : null;

    /// <summary>The float attribute <paramref name="name"/>, or null when the node has none.</summary>
    public float? Float(string name) => Attributes.TryGetValue(name, out var a) ? a.Float : null;
}
