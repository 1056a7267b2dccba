using Classifier.Core.Model;
using Classifier.Core.Model.Pretrained;
using static Classifier.Core.Model.Pretrained.OnnxFieldNumbers;
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

    private const long Float32 = OnnxFieldNumbers.TensorProto.Float32;

    /// <summary>
    /// Writes <paramref name="network"/> (in eval mode) as an ONNX model whose first nodes apply
    /// <paramref name="normalization"/> (by default the one <paramref name="info"/>'s preprocessing records).
    /// Throws <see cref="ClassifierException"/> naming the first module that has no ONNX translation.
    /// </summary>
    public static void Write(Stream stream, nn.Module<Tensor, Tensor> network, ModelInfo info, InputNormalization? normalization = null) =>
        Build(network, info, normalization).WriteTo(stream);

    /// <summary>As <see cref="Write"/>, into one array of exactly the model's size.</summary>
    public static byte[] ToArray(nn.Module<Tensor, Tensor> network, ModelInfo info, InputNormalization? normalization = null) =>
        Build(network, info, normalization).ToArray();

    private static ProtoMessage Build(nn.Module<Tensor, Tensor> network, ModelInfo info, InputNormalization? normalization)
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
            .Int64(ModelProto.IrVersion, IrVersion)
            .String(ModelProto.ProducerName, "classify")
            .String(ModelProto.ProducerVersion, ToolInfo.Version)
            .Message(ModelProto.Graph, new ProtoMessage()
                .Messages(GraphProto.Node, graph.Nodes.Select(NodeOf))
                .String(GraphProto.Name, info.Architecture.Replace('-', '_'))
                .Messages(GraphProto.Initializer, graph.Initializers.Select(TensorOf))
                .Message(GraphProto.Input, FloatTensorValue(InputName, ["batch", 3L, side, side]))
                .Message(GraphProto.Output, FloatTensorValue(ProbabilitiesName, ["batch", classes]))
                .Message(GraphProto.Output, FloatTensorValue(LogitsName, ["batch", classes])))
            .Message(ModelProto.OpsetImport, new ProtoMessage().String(OperatorSetProto.Domain, "").Int64(OperatorSetProto.Version, OpsetVersion));
        foreach (var (key, value) in ExportMetadata.For(info, network))
            model.Message(ModelProto.MetadataProps, new ProtoMessage().String(Entry.Key, key).String(Entry.Value, value));

        return model;
    }

    private static ProtoMessage TensorOf(OnnxInitializer initializer) => new ProtoMessage()
        .Int64s(TensorProto.Dims, initializer.Shape)
        .Int64(TensorProto.DataType, initializer.DataType)
        .String(TensorProto.Name, initializer.Name)
        .Bytes(TensorProto.RawData, initializer.RawData);

    private static ProtoMessage NodeOf(OnnxNode node)
    {
        var message = new ProtoMessage()
            .Strings(NodeProto.Input, node.Inputs)
            .String(NodeProto.Output, node.Output)
            .String(NodeProto.Name, node.Name)
            .String(NodeProto.OpType, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            var proto = new ProtoMessage().String(AttributeProto.Name, attribute.Name);
            if (attribute.Int is { } value) proto.Int64(AttributeProto.Int, value).Int64(AttributeProto.Type, AttributeProto.TypeInt);
            else if (attribute.Ints is { } values) proto.Int64s(AttributeProto.Ints, values).Int64(AttributeProto.Type, AttributeProto.TypeInts);
            else proto.Float(AttributeProto.Float, attribute.Float!.Value).Int64(AttributeProto.Type, AttributeProto.TypeFloat);
            message.Message(NodeProto.Attribute, proto);
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
                ? new ProtoMessage().String(Shape.DimParam, symbol)
                : new ProtoMessage().Int64(Shape.DimValue, (long)dim);
            shape.Message(Shape.Dim, dimension);
        }
        var tensorType = new ProtoMessage().Int64(TypeProto.ElementType, Float32).Message(TypeProto.Shape, shape);
        var type = new ProtoMessage().Message(TypeProto.TensorType, tensorType);
        return new ProtoMessage().String(ValueInfoProto.Name, name).Message(ValueInfoProto.Type, type);
    }
}
