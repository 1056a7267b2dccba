namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// The parts of an ONNX model that the pretrained-weight import needs: who produced it, its opset, its nodes in file
/// order and its float32 initializers by name. Read by <see cref="OnnxReader"/>.
/// </summary>
/// <param name="ProducerName">ModelProto.producer_name, e.g. "CNTK".</param>
/// <param name="ProducerVersion">ModelProto.producer_version, e.g. "2.6".</param>
/// <param name="OpsetVersion">Version of the default ("" or "ai.onnx") operator set, 0 when absent.</param>
/// <param name="Nodes">GraphProto.node in file order, which ONNX requires to be a topological order.</param>
/// <param name="Initializers">GraphProto.initializer by name.</param>
/// <param name="Inputs">Names of GraphProto.input (initializers may be listed there too, as in IR version 3).</param>
/// <param name="Outputs">Names of GraphProto.output.</param>
internal sealed record OnnxGraph(
    string ProducerName,
    string ProducerVersion,
    long OpsetVersion,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyDictionary<string, OnnxTensor> Initializers,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs);
