using System.Runtime.InteropServices;
using Google.Protobuf;
using static Classifier.Core.Model.Pretrained.OnnxFieldNumbers;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// Reads an ONNX model file (a protobuf ModelProto) into an <see cref="OnnxGraph"/> with the protobuf runtime's
/// <see cref="CodedInputStream"/>, field by field: no generated code, only the fields the weight import needs.
/// Unknown fields are skipped, as protobuf parsers do. Float tensors may hold their values in float_data (packed or
/// not) or raw_data (little-endian bytes); tensors of other types and external data are refused. Sub-messages and
/// raw_data are read in place from the file's bytes, never copied.
/// </summary>
internal static class OnnxReader
{
    /// <summary>
    /// Reads the ONNX model at <paramref name="path"/>. Throws <see cref="ClassifierException"/> naming the file when
    /// it is missing, unreadable or not a well-formed ONNX model.
    /// </summary>
    public static OnnxGraph Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = Data.InputFile.ReadAllBytes(path, $"The ONNX model '{path}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClassifierException($"Cannot read the ONNX model '{path}': {e.Message}", e);
        }
        try
        {
            return ReadModel(new ProtoFields(bytes, 0, bytes.Length));
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            throw new ClassifierException($"'{path}' is not a readable ONNX model (damaged or truncated?): {e.Message}", e);
        }
    }

    private static OnnxGraph ReadModel(ProtoFields model)
    {
        string producerName = "", producerVersion = "";
        long opset = 0;
        OnnxGraph? graph = null;
        uint tag;
        while ((tag = model.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ModelProto.ProducerName: producerName = ReadString(model.Input, tag, "ModelProto.producer_name"); break;
                case ModelProto.ProducerVersion: producerVersion = ReadString(model.Input, tag, "ModelProto.producer_version"); break;
                case ModelProto.OpsetImport:
                    var (domain, version) = ReadOperatorSet(model.Nested(tag, "ModelProto.opset_import"));
                    if (domain is "" or "ai.onnx") opset = version;
                    break;
                case ModelProto.Graph: graph = ReadGraph(model.Nested(tag, "ModelProto.graph")); break;
                default: model.Input.SkipLastField(); break;
            }
        }
        if (graph is null) throw new InvalidDataException("it has no graph");
        return graph with { ProducerName = producerName, ProducerVersion = producerVersion, OpsetVersion = opset };
    }

    private static (string Domain, long Version) ReadOperatorSet(ProtoFields operatorSet)
    {
        var input = operatorSet.Input;
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case OperatorSetProto.Domain: domain = ReadString(input, tag, "OperatorSetIdProto.domain"); break;
                case OperatorSetProto.Version: version = ReadInt64(input, tag, "OperatorSetIdProto.version"); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private static OnnxGraph ReadGraph(ProtoFields graph)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        uint tag;
        while ((tag = graph.Input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case GraphProto.Node: nodes.Add(ReadNode(graph.Nested(tag, "GraphProto.node"))); break;
                case GraphProto.Initializer:
                    var tensor = ReadTensor(graph.Nested(tag, "GraphProto.initializer"));
                    if (!initializers.TryAdd(tensor.Name, tensor))
                        throw new InvalidDataException($"two initializers are named '{tensor.Name}'");
                    break;
                case GraphProto.Input: inputs.Add(ReadValueInfoName(graph.Nested(tag, "GraphProto.input"))); break;
                case GraphProto.Output: outputs.Add(ReadValueInfoName(graph.Nested(tag, "GraphProto.output"))); break;
                default: graph.Input.SkipLastField(); break;
            }
        }
        return new OnnxGraph("", "", 0, nodes, initializers, inputs, outputs);
    }

    private static string ReadValueInfoName(ProtoFields valueInfo)
    {
        var input = valueInfo.Input;
        string name = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == ValueInfoProto.Name) name = ReadString(input, tag, "ValueInfoProto.name");
            else input.SkipLastField();
        }
        return name;
    }

    private static OnnxNode ReadNode(ProtoFields node)
    {
        var input = node.Input;
        string name = "", opType = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NodeProto.Input: inputs.Add(ReadString(input, tag, "NodeProto.input")); break;
                case NodeProto.Output: outputs.Add(ReadString(input, tag, "NodeProto.output")); break;
                case NodeProto.Name: name = ReadString(input, tag, "NodeProto.name"); break;
                case NodeProto.OpType: opType = ReadString(input, tag, "NodeProto.op_type"); break;
                case NodeProto.Attribute:
                    var (attributeName, attribute) = ReadAttribute(node.Nested(tag, "NodeProto.attribute"));
                    attributes[attributeName] = attribute;
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    private static (string Name, OnnxAttribute Value) ReadAttribute(ProtoFields attribute)
    {
        var input = attribute.Input;
        string name = "";
        long? integer = null;
        float? real = null;
        var ints = new List<long>();
        var floats = new List<float>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case AttributeProto.Name: name = ReadString(input, tag, "AttributeProto.name"); break;
                case AttributeProto.Int: integer = ReadInt64(input, tag, "AttributeProto.i"); break;
                case AttributeProto.Float: real = ReadFloat(input, tag, "AttributeProto.f"); break;
                case AttributeProto.Ints: ReadInt64s(attribute, tag, ints, "AttributeProto.ints"); break;
                case AttributeProto.Floats: ReadFloats(attribute, tag, floats, "AttributeProto.floats"); break;
                default: input.SkipLastField(); break;
            }
        }
        return (name, new OnnxAttribute(integer, real, ints, floats));
    }

    private static OnnxTensor ReadTensor(ProtoFields tensor)
    {
        var input = tensor.Input;
        string name = "";
        var dims = new List<long>();
        long dataType = 0, location = 0;
        var floatData = new List<float>();
        ReadOnlyMemory<byte>? raw = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case TensorProto.Dims: ReadInt64s(tensor, tag, dims, "TensorProto.dims"); break;
                case TensorProto.DataType: dataType = ReadInt64(input, tag, "TensorProto.data_type"); break;
                case TensorProto.FloatData: ReadFloats(tensor, tag, floatData, "TensorProto.float_data"); break;
                case TensorProto.Name: name = ReadString(input, tag, "TensorProto.name"); break;
                case TensorProto.RawData: raw = tensor.Bytes(tag, "TensorProto.raw_data"); break;
                case TensorProto.DataLocation: location = ReadInt64(input, tag, "TensorProto.data_location"); break;
                default: input.SkipLastField(); break;
            }
        }
        if (location == TensorProto.ExternalLocation)
            throw new InvalidDataException($"tensor '{name}' keeps its data in an external file, which is not supported");
        if (dataType != TensorProto.Float32)
            throw new InvalidDataException($"tensor '{name}' has data type {dataType}; only float32 (1) is supported");

        long count = 1;
        foreach (var d in dims)
        {
            // count stays below 2^29 and d below 2^31 before each product, so it cannot overflow.
            if (d < 0 || d > int.MaxValue || (count *= d) > int.MaxValue / sizeof(float))
                throw new InvalidDataException($"tensor '{name}' has an impossible shape [{string.Join(", ", dims)}]");
        }
        // raw_data is little-endian float32, the byte order of every machine TorchSharp's libtorch runs on.
        var data = raw ?? MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(floatData)).ToArray();
        if (data.Length != count * sizeof(float))
            throw new InvalidDataException(
                $"tensor '{name}' of shape [{string.Join(", ", dims)}] holds {data.Length} bytes instead of {count * sizeof(float)}");
        return new OnnxTensor(name, dims.ToArray(), data);
    }

    private static string ReadString(CodedInputStream input, uint tag, string field)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited, field);
        return input.ReadString();
    }

    private static long ReadInt64(CodedInputStream input, uint tag, string field)
    {
        Expect(tag, WireFormat.WireType.Varint, field);
        return input.ReadInt64();
    }

    private static float ReadFloat(CodedInputStream input, uint tag, string field)
    {
        Expect(tag, WireFormat.WireType.Fixed32, field);
        return input.ReadFloat();
    }

    /// <summary>One element (unpacked) or a packed run of varints.</summary>
    private static void ReadInt64s(ProtoFields message, uint tag, List<long> values, string field)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            values.Add(ReadInt64(message.Input, tag, field));
            return;
        }
        var packed = message.Nested(tag, field).Input;
        while (!packed.IsAtEnd) values.Add(packed.ReadInt64());
    }

    /// <summary>One element (unpacked) or a packed run of little-endian float32.</summary>
    private static void ReadFloats(ProtoFields message, uint tag, List<float> values, string field)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
        {
            values.Add(ReadFloat(message.Input, tag, field));
            return;
        }
        var packed = message.Bytes(tag, field);
        if (packed.Length % sizeof(float) != 0)
            throw new InvalidDataException($"{field} has {packed.Length} bytes, not a whole number of floats");
        values.AddRange(MemoryMarshal.Cast<byte, float>(packed.Span));
    }

    private static void Expect(uint tag, WireFormat.WireType wireType, string field)
    {
        if (WireFormat.GetTagWireType(tag) != wireType)
            throw new InvalidDataException($"{field} has wire type {WireFormat.GetTagWireType(tag)} instead of {wireType}");
    }
}
