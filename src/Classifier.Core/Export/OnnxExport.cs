using Classifier.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Classifier.Core.Export;

/// <summary>
/// Writes a network as an ONNX model (opset 13, IR 7): input <c>input</c> [batch, 3, H, W] float32, RGB values in
/// [0, 1] (pixel / 255) whatever the network - the graph's first nodes apply the preprocessing's scale, channel order,
/// mean and std (<see cref="InputNormalization"/>; none for the seed CNN, whose input this always was) - and outputs
/// <c>probabilities</c> (softmax) and <c>logits</c>, both [batch, classes], with a dynamic batch dimension. Class
/// names and preprocessing are in the model's metadata_props. TorchSharp has no ONNX exporter, so the graph is
/// written by walking the module tree (<see cref="OnnxNetworkLowering"/>); the test suite runs the result in ONNX
/// Runtime against TorchSharp's outputs for every architecture.
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
        public const int Name = 1, Float = 2, Int = 3, Ints = 8, Type = 20;
        public const long TypeFloat = 1, TypeInt = 2, TypeInts = 7;
    }

    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;
    private const long Float32 = OnnxInitializer.Float32Type;

    /// <summary>
    /// Writes <paramref name="network"/> (in eval mode) as an ONNX model whose first nodes apply
    /// <paramref name="normalization"/> (by default the one <paramref name="info"/>'s preprocessing records).
    /// Throws <see cref="ClassifierException"/> naming the first module that has no ONNX translation.
    /// </summary>
    public static void Write(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info, InputNormalization? normalization = null)
    {
        using var scope = NewDisposeScope();
        var graph = new OnnxGraph(InputName);
        var x = (normalization ?? InputNormalization.From(info.Preprocessing)).Emit(graph, InputName);
        x = new OnnxNetworkLowering(graph).Emit(network, "", x);
        if (x == InputName || graph.Nodes[^1].Output != x)
            throw new InvalidOperationException("The network's output is not the last node's.");
        graph.NameLastOutput(LogitsName);
        graph.Add("Softmax", "softmax", [LogitsName], OnnxAttribute.Of("axis", 1L));
        graph.NameLastOutput(ProbabilitiesName);

        long side = info.Preprocessing.ImageSize;
        long classes = info.ClassNames.Count;
        var model = new ProtoMessage()
            .Int64(Model.IrVersion, IrVersion)
            .String(Model.ProducerName, "classify")
            .String(Model.ProducerVersion, ToolInfo.Version)
            .Message(Model.Graph, new ProtoMessage()
                .Messages(Graph.Node, graph.Nodes.Select(NodeOf))
                .String(Graph.Name, info.Architecture.Replace('-', '_'))
                .Messages(Graph.Initializer, graph.Initializers.Select(TensorOf))
                .Message(Graph.Input, FloatTensorValue(InputName, ["batch", 3L, side, side]))
                .Message(Graph.Output, FloatTensorValue(ProbabilitiesName, ["batch", classes]))
                .Message(Graph.Output, FloatTensorValue(LogitsName, ["batch", classes])))
            .Message(Model.OpsetImport, new ProtoMessage().String(OnnxFieldNumbers.OpsetDomain, "").Int64(OnnxFieldNumbers.OpsetVersion, OpsetVersion));
        foreach (var (key, value) in ExportMetadata.For(info, network))
            model.Message(Model.MetadataProps, new ProtoMessage().String(OnnxFieldNumbers.EntryKey, key).String(OnnxFieldNumbers.EntryValue, value));

        stream.Write(model.ToArray());
    }

    private static ProtoMessage TensorOf(OnnxInitializer initializer) => new ProtoMessage()
        .Int64s(TensorDims, initializer.Shape)
        .Int64(TensorDataType, initializer.DataType)
        .String(TensorName, initializer.Name)
        .Bytes(TensorRawData, initializer.RawData);

    private static ProtoMessage NodeOf(OnnxNode node)
    {
        var message = new ProtoMessage()
            .Strings(Node.Input, node.Inputs)
            .String(Node.Output, node.Output)
            .String(Node.Name, node.Name)
            .String(Node.OpType, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            var proto = new ProtoMessage().String(Attribute.Name, attribute.Name);
            if (attribute.Int is { } value) proto.Int64(Attribute.Int, value).Int64(Attribute.Type, Attribute.TypeInt);
            else if (attribute.Ints is { } values) proto.Int64s(Attribute.Ints, values).Int64(Attribute.Type, Attribute.TypeInts);
            else proto.Float(Attribute.Float, attribute.Float!.Value).Int64(Attribute.Type, Attribute.TypeFloat);
            message.Message(Node.Attribute, proto);
        }
        return message;
    }

    /// <summary>A ValueInfoProto for a float32 tensor; a string dimension is symbolic (dynamic), a number fixed.</summary>
    private static ProtoMessage FloatTensorValue(string name, object[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var dim in dims)
        {
            var dimension = dim is string symbol
                ? new ProtoMessage().String(OnnxFieldNumbers.DimParam, symbol)
                : new ProtoMessage().Int64(OnnxFieldNumbers.DimValue, (long)dim);
            shape.Message(OnnxFieldNumbers.ShapeDim, dimension);
        }
        var tensorType = new ProtoMessage().Int64(OnnxFieldNumbers.TensorElemType, Float32).Message(OnnxFieldNumbers.TensorShape, shape);
        var type = new ProtoMessage().Message(OnnxFieldNumbers.TypeTensorType, tensorType);
        return new ProtoMessage().String(OnnxFieldNumbers.ValueInfoName, name).Message(OnnxFieldNumbers.ValueInfoType, type);
    }
}
