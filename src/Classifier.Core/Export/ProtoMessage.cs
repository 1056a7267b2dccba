using Google.Protobuf;

namespace Classifier.Core.Export;

/// <summary>
/// Builds one protobuf message field by field, for the few ONNX messages the exporter writes. Nested messages are
/// built first and embedded as length-delimited bytes, which is how protobuf encodes them on the wire. Repeated
/// scalars are written unpacked, which every protobuf parser accepts. Callers pass field numbers as named constants
/// (the ONNX ones are in <see cref="OnnxExport"/> and <see cref="OnnxFieldNumbers"/>), never bare integers.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoMessage() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoMessage Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (var value in values) Int64(field, value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtoMessage Strings(int field, IEnumerable<string> values)
    {
        foreach (var value in values) String(field, value);
        return this;
    }

    public ProtoMessage Bytes(int field, byte[] value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage message) => Bytes(field, message.ToArray());

    public ProtoMessage Messages(int field, IEnumerable<ProtoMessage> messages)
    {
        foreach (var message in messages) Message(field, message);
        return this;
    }

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}
