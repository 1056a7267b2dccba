using Classifier.Core;
using Classifier.Core.Export;
using Classifier.Core.Model.Pretrained;
using Classifier.Tests.Support;

namespace Classifier.Tests.Model.Pretrained;

/// <summary>The ONNX reader on small hand-written models: the encodings other exporters use, and bad tensors.</summary>
public sealed class OnnxReaderTests : IDisposable
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7, ModelOpsetImport = 8, OpsetVersion = 2;
    private const int GraphNode = 1, GraphInitializer = 5;
    private const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeInts = 8;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_FloatDataAndRawData_GiveTheSameValuesAndTheNodesInOrder()
    {
        float[] values = [1.5f, -2f, 0.25f, 3e-7f, 65504f, -0f];
        var packed = values.SelectMany(BitConverter.GetBytes).ToArray();
        var graph = new ProtoMessage()
            .Message(GraphNode, new ProtoMessage().String(NodeInput, "x").String(NodeInput, "w").String(NodeOutput, "y")
                .String(NodeOpType, "Conv")
                .Message(NodeAttribute, new ProtoMessage().String(AttributeName, "pads").Int64s(AttributeInts, [1, 1, 0, 0])))
            .Message(GraphNode, new ProtoMessage().String(NodeInput, "y").String(NodeOutput, "z").String(NodeOpType, "Relu"))
            .Message(GraphInitializer, new ProtoMessage().Int64s(TensorDims, [2, 3]).Int64(TensorDataType, 1)
                .String(TensorName, "packed").Bytes(TensorFloatData, packed))
            .Message(GraphInitializer, new ProtoMessage().Int64s(TensorDims, [3, 2]).Int64(TensorDataType, 1)
                .String(TensorName, "raw").Bytes(TensorRawData, packed));
        var path = Write(graph);

        var read = OnnxReader.Read(path);

        Assert.Equal(8, read.OpsetVersion);
        Assert.Equal(["Conv", "Relu"], read.Nodes.Select(n => n.OpType));
        Assert.Equal(["x", "w"], read.Nodes[0].Inputs);
        Assert.Equal([1L, 1, 0, 0], read.Nodes[0].Ints("pads"));
        Assert.Equal(values, read.Initializers["packed"].Values.ToArray());
        Assert.Equal([2L, 3], read.Initializers["packed"].Dims);
        Assert.Equal(values, read.Initializers["raw"].Values.ToArray());
        Assert.Equal("[3, 2]", read.Initializers["raw"].ShapeText);
    }

    [Fact]
    public void Read_ATensorWithFewerValuesThanItsShape_FailsNamingFileAndTensor()
    {
        var graph = new ProtoMessage().Message(GraphInitializer, new ProtoMessage().Int64s(TensorDims, [3]).Int64(TensorDataType, 1)
            .String(TensorName, "short").Bytes(TensorRawData, new byte[8]));
        var path = Write(graph);
        var error = Assert.Throws<ClassifierException>(() => OnnxReader.Read(path));
        Assert.Equal($"'{path}' is not a readable ONNX model (damaged or truncated?): tensor 'short' of shape [3] holds 8 bytes instead of 12", error.Message);
    }

    [Fact]
    public void Read_ANonFloatTensor_IsRefused()
    {
        var graph = new ProtoMessage().Message(GraphInitializer, new ProtoMessage().Int64s(TensorDims, [1]).Int64(TensorDataType, 7)
            .String(TensorName, "steps").Bytes(TensorRawData, new byte[8]));
        var error = Assert.Throws<ClassifierException>(() => OnnxReader.Read(Write(graph)));
        Assert.EndsWith("tensor 'steps' has data type 7; only float32 (1) is supported", error.Message);
    }

    [Fact]
    public void Read_AHugeShape_IsRefusedBeforeAnyAllocation()
    {
        var graph = new ProtoMessage().Message(GraphInitializer, new ProtoMessage().Int64s(TensorDims, [1L << 40, 1L << 40]).Int64(TensorDataType, 1)
            .String(TensorName, "huge").Bytes(TensorRawData, new byte[8]));
        var error = Assert.Throws<ClassifierException>(() => OnnxReader.Read(Write(graph)));
        Assert.Contains("tensor 'huge' has an impossible shape", error.Message);
    }

    private string Write(ProtoMessage graph)
    {
        var model = new ProtoMessage()
            .Message(ModelOpsetImport, new ProtoMessage().Int64(OpsetVersion, 8))
            .Message(ModelGraph, graph);
        var path = _dir.Combine("model.onnx");
        File.WriteAllBytes(path, model.ToArray());
        return path;
    }
}
