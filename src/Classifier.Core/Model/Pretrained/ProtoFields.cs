using Google.Protobuf;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// One message's bytes, <c>buffer[offset..offset + length]</c>, and a <see cref="CodedInputStream"/> reading its
/// fields. Length-delimited fields (sub-messages, raw bytes, packed runs) are handed out as slices of the same
/// buffer: the stream skips them, and the slice is found from the positions before and after.
/// </summary>
internal sealed class ProtoFields
{
    private readonly byte[] _buffer;
    private readonly int _offset;
    private readonly long _origin;

    public ProtoFields(byte[] buffer, int offset, int length)
    {
        _buffer = buffer;
        _offset = offset;
        Input = new CodedInputStream(buffer, offset, length);
        _origin = Input.Position;
    }

    /// <summary>Reads the message's fields in order.</summary>
    public CodedInputStream Input { get; }

    /// <summary>The sub-message that <paramref name="tag"/> (just read) introduces.</summary>
    public ProtoFields Nested(uint tag, string field)
    {
        var (offset, length) = Slice(tag, field);
        return new ProtoFields(_buffer, offset, length);
    }

    /// <summary>The bytes of the field that <paramref name="tag"/> (just read) introduces, not copied.</summary>
    public ReadOnlyMemory<byte> Bytes(uint tag, string field)
    {
        var (offset, length) = Slice(tag, field);
        return _buffer.AsMemory(offset, length);
    }

    private (int Offset, int Length) Slice(uint tag, string field)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            throw new InvalidDataException($"{field} has wire type {WireFormat.GetTagWireType(tag)} instead of LengthDelimited");
        int before = _offset + (int)(Input.Position - _origin);
        // Reads the length prefix and skips that many bytes; throws if they run past the message.
        Input.SkipLastField();
        int after = _offset + (int)(Input.Position - _origin);
        int length = new CodedInputStream(_buffer, before, after - before).ReadLength();
        return (after - length, length);
    }
}
