using Classifier.Core.Model;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes the seed CNN as an ONNX model (opset 13): input <c>input</c> [batch, 3, H, W] float32 (RGB, scaled as the
/// preprocessing says), outputs <c>probabilities</c> (softmax) and <c>logits</c>, both [batch, classes], with a
/// dynamic batch dimension. Class names and preprocessing are in the model's metadata_props. TorchSharp has no ONNX
/// exporter, so the graph is written here node by node from the same layer list as <see cref="KerasRecipeCnn.forward"/>;
/// the test suite runs the result in ONNX Runtime against TorchSharp's outputs.
/// </summary>
internal static class OnnxExport
{
    public const string InputName = "input";
    public const string ProbabilitiesName = "probabilities";
    public const string LogitsName = "logits";
    public const long OpsetVersion = 13;

    /// <summary>ONNX IR version 7 is the one that goes with opset 13.</summary>
    private const long IrVersion = 7;

    // Field numbers and enum values from onnx.proto (onnx/onnx, IR version 7).
    private static class Model
    {
        public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Graph = 7, OpsetImport = 8, MetadataProps = 14;
    }

    private static class Graph
    {
        public const int Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12;
    }

    private static class Node
    {
        public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5;
    }

    private static class Attribute
    {
        public const int Name = 1, Int = 3, Ints = 8, Type = 20;
        public const long TypeInt = 2, TypeInts = 7;
    }

    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const long Float32 = 1;

    public static void Write(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info)
    {
        if (info.Architecture != ModelInfo.KerasRecipeCnnArchitecture)
            throw new ClassifierException($"ONNX export of a {info.Architecture} network is not available yet; export it as pt or safetensors.");
        var weights = network.state_dict();
        var initializers = new List<ProtoMessage>();
        foreach (var (name, tensor) in weights)
            initializers.Add(new ProtoMessage()
                .Int64s(TensorDims, tensor.shape)
                .Int64(TensorDataType, Float32)
                .String(TensorName, name)
                .Bytes(TensorRawData, TensorBytes.Float32(tensor)));

        var nodes = new List<ProtoMessage>();
        string x = InputName;
        for (int block = 1; block <= KerasRecipeCnn.Filters.Length; block++)
        {
            nodes.Add(NodeOf("Conv", $"conv{block}", [x, $"conv{block}.weight", $"conv{block}.bias"], $"conv{block}_out",
                Ints("kernel_shape", 3, 3)));
            nodes.Add(NodeOf("Relu", $"relu{block}", [$"conv{block}_out"], $"relu{block}_out"));
            // Max-pool 2x2, stride 2, floor mode (ONNX's default ceil_mode=0), as nn.MaxPool2d(2).
            nodes.Add(NodeOf("MaxPool", $"pool{block}", [$"relu{block}_out"], $"pool{block}_out",
                Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
            x = $"pool{block}_out";
        }
        // [N, C, H, W] -> [N, C*H*W] in C order, the same element order as torch's flatten(1).
        nodes.Add(NodeOf("Flatten", "flatten", [x], "flat", Int("axis", 1)));
        // Linear layers store weight as [out, in]: Gemm with transB=1 computes x W^T + b.
        nodes.Add(NodeOf("Gemm", "fc1", ["flat", "fc1.weight", "fc1.bias"], "fc1_out", Int("transB", 1)));
        nodes.Add(NodeOf("Relu", "relu_fc1", ["fc1_out"], "hidden"));
        // Dropout is the identity at inference and is left out.
        nodes.Add(NodeOf("Gemm", "fc2", ["hidden", "fc2.weight", "fc2.bias"], LogitsName, Int("transB", 1)));
        nodes.Add(NodeOf("Softmax", "softmax", [LogitsName], ProbabilitiesName, Int("axis", 1)));

        long side = info.Preprocessing.ImageSize;
        var graph = new ProtoMessage()
            .Messages(Graph.Node, nodes)
            .String(Graph.Name, "seed_cnn")
            .Messages(Graph.Initializer, initializers)
            .Message(Graph.Input, FloatTensorValue(InputName, ["batch", 3L, side, side]))
            .Message(Graph.Output, FloatTensorValue(ProbabilitiesName, ["batch", (long)info.ClassNames.Count]))
            .Message(Graph.Output, FloatTensorValue(LogitsName, ["batch", (long)info.ClassNames.Count]));

        var model = new ProtoMessage()
            .Int64(Model.IrVersion, IrVersion)
            .String(Model.ProducerName, "classify")
            .String(Model.ProducerVersion, ToolInfo.Version)
            .Message(Model.Graph, graph)
            .Message(Model.OpsetImport, new ProtoMessage().String(1, "").Int64(2, OpsetVersion));
        foreach (var (key, value) in ExportMetadata.For(info))
            model.Message(Model.MetadataProps, new ProtoMessage().String(1, key).String(2, value));

        stream.Write(model.ToArray());
    }

    private static ProtoMessage NodeOf(string opType, string name, string[] inputs, string output, params ProtoMessage[] attributes) =>
        new ProtoMessage()
            .Strings(Node.Input, inputs)
            .String(Node.Output, output)
            .String(Node.Name, name)
            .String(Node.OpType, opType)
            .Messages(Node.Attribute, attributes);

    private static ProtoMessage Int(string name, long value) =>
        new ProtoMessage().String(Attribute.Name, name).Int64(Attribute.Int, value).Int64(Attribute.Type, Attribute.TypeInt);

    private static ProtoMessage Ints(string name, params long[] values) =>
        new ProtoMessage().String(Attribute.Name, name).Int64s(Attribute.Ints, values).Int64(Attribute.Type, Attribute.TypeInts);

    /// <summary>A ValueInfoProto for a float32 tensor; a string dimension is symbolic (dynamic), a number fixed.</summary>
    private static ProtoMessage FloatTensorValue(string name, object[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var dim in dims)
        {
            var dimension = dim is string symbol
                ? new ProtoMessage().String(2, symbol)      // dim_param
                : new ProtoMessage().Int64(1, (long)dim);   // dim_value
            shape.Message(1, dimension);
        }
        var tensorType = new ProtoMessage().Int64(1, Float32).Message(2, shape);   // TypeProto.Tensor: elem_type, shape
        var type = new ProtoMessage().Message(1, tensorType);                      // TypeProto: tensor_type
        return new ProtoMessage().String(1, name).Message(2, type);               // ValueInfoProto: name, type
    }
}
