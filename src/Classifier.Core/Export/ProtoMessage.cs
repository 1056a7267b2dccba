using Google.Protobuf;

namespace Classifier.Core.Export;

/// <summary>
/// Builds one protobuf message field by field, for the few ONNX messages the exporter writes. Scalars and strings are
/// encoded as they are added; byte fields and nested messages are kept by reference and written once, by
/// <see cref="WriteTo"/>, behind their tag and length (which is how protobuf encodes them on the wire), so a model's
/// weights are not copied at every level of nesting. Repeated scalars are written unpacked, which every protobuf parser
/// accepts. Callers pass field numbers as named constants (the ONNX ones are in <see cref="OnnxExport"/> and
/// <see cref="Model.Pretrained.OnnxFieldNumbers"/>), never bare integers. Do not change a byte array or message after adding it.
/// </summary>
internal sealed class ProtoMessage
{
    /// <summary>In order: encoded bytes (byte[]), or nested messages (ProtoMessage) whose tag and length precede them.</summary>
    private readonly List<object> _parts = [];
    private readonly MemoryStream _pending = new();
    private readonly CodedOutputStream _output;

    public ProtoMessage() => _output = new CodedOutputStream(_pending, leaveOpen: true);

    /// <summary>The encoded size in bytes.</summary>
    public long Length
    {
        get
        {
            Seal();
            return _parts.Sum(part => part is byte[] bytes ? bytes.LongLength : ((ProtoMessage)part).Length);
        }
    }

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

    /// <summary>A bytes field; <paramref name="value"/> is written as it is then, not copied now.</summary>
    public ProtoMessage Bytes(int field, byte[] value)
    {
        Header(field, value.LongLength);
        Seal();
        _parts.Add(value);
        return this;
    }

    /// <summary>A nested message; <paramref name="message"/> is written as it is then, not copied now.</summary>
    public ProtoMessage Message(int field, ProtoMessage message)
    {
        Header(field, message.Length);
        Seal();
        _parts.Add(message);
        return this;
    }

    public ProtoMessage Messages(int field, IEnumerable<ProtoMessage> messages)
    {
        foreach (var message in messages) Message(field, message);
        return this;
    }

    /// <summary>Writes the encoded message to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        Seal();
        foreach (var part in _parts)
        {
            if (part is byte[] bytes) stream.Write(bytes);
            else ((ProtoMessage)part).WriteTo(stream);
        }
    }

    /// <summary>The encoded message in one array of exactly its length.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        using var stream = new MemoryStream(bytes);
        WriteTo(stream);
        return bytes;
    }

    private void Header(int field, long length)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteLength(checked((int)length));
    }

    /// <summary>Moves the scalars encoded since the last part into a part of their own.</summary>
    private void Seal()
    {
        _output.Flush();
        if (_pending.Length == 0) return;
        _parts.Add(_pending.ToArray());
        _pending.SetLength(0);
    }
}
