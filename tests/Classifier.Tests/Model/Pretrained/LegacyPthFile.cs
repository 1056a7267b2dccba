using System.Buffers.Binary;
using System.Text;

namespace Classifier.Tests.Model.Pretrained;

/// <summary>
/// Writes a state dict in PyTorch's legacy torch.save format byte by byte, as torch/serialization.py's
/// <c>_legacy_save</c> lays it out (protocol 2 pickles: magic number, protocol version, sys_info, the OrderedDict whose
/// tensors name their storages by persistent id, the storage keys; then each storage as an int64 count and its bytes),
/// so the reader's tests run where there is no PyTorch. Every part can be overridden to make a hostile file.
/// </summary>
internal sealed class LegacyPthFile
{
    /// <summary>One tensor of the dict: its storage key, offset, shape and stride.</summary>
    public sealed record Entry(string Name, string Key, long Offset, long[] Shape, long[] Stride);

    /// <summary>One storage: its key, torch storage class, element count (as the pickle claims it) and bytes.</summary>
    public sealed record StorageBytes(string Key, string Type, long Elements, byte[] Data);

    public List<Entry> Entries { get; } = [];
    public List<StorageBytes> Storages { get; } = [];

    /// <summary>The module and name the tensors are rebuilt by (another global makes a hostile file).</summary>
    public (string Module, string Name) Rebuilder { get; set; } = ("torch._utils", "_rebuild_tensor_v2");

    /// <summary>The kind of persistent id (<c>module</c> is what torch.save(model) writes for a whole model).</summary>
    public string PersistentKind { get; set; } = "storage";

    /// <summary>The count written before each storage's bytes, when not its real element count.</summary>
    public long? CountOverride { get; set; }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static byte[] Longs(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    public byte[] ToBytes()
    {
        using var file = new MemoryStream();
        var p = new BinaryWriter(file);
        // MAGIC_NUMBER 0x1950a86a20f9469cfc6c as LONG1 (10 bytes, little-endian).
        p.Write([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);
        p.Write([0x80, 0x02, (byte)'M', 0xe9, 0x03, (byte)'.']);
        p.Write([0x80, 0x02, (byte)'}', (byte)'(']);
        Text(p, "protocol_version"); p.Write([(byte)'M', 0xe9, 0x03]);
        Text(p, "little_endian"); p.Write((byte)0x88);
        p.Write([(byte)'u', (byte)'.']);

        p.Write([0x80, 0x02]);
        Global(p, "collections", "OrderedDict");
        p.Write([(byte)')', (byte)'R', (byte)'q', 0, (byte)'(']);
        bool memoized = false;
        foreach (var entry in Entries)
        {
            var storage = Storages.First(s => s.Key == entry.Key);
            Text(p, entry.Name);
            Global(p, Rebuilder.Module, Rebuilder.Name);
            p.Write((byte)'(');
            // The persistent id ('storage', type, key, 'cpu', numel, None); 'storage' memoized once and fetched after.
            p.Write((byte)'(');
            if (memoized) p.Write([(byte)'h', 1]);
            else { Text(p, PersistentKind); p.Write([(byte)'q', 1]); memoized = true; }
            Global(p, "torch", storage.Type);
            Text(p, storage.Key);
            Text(p, "cpu");
            Int(p, storage.Elements);
            p.Write([(byte)'N', (byte)'t', (byte)'Q']);
            Int(p, entry.Offset);
            Tuple(p, entry.Shape);
            Tuple(p, entry.Stride);
            p.Write((byte)0x89);
            Global(p, "collections", "OrderedDict");
            p.Write([(byte)')', (byte)'R', (byte)'t', (byte)'R']);
        }
        p.Write((byte)'u');
        // BUILD with the OrderedDict's state: {'_metadata': {}} as a state dict carries.
        p.Write((byte)'}'); Text(p, "_metadata"); p.Write([(byte)'}', (byte)'s', (byte)'b', (byte)'.']);

        p.Write([0x80, 0x02, (byte)']', (byte)'(']);
        foreach (var storage in Storages) Text(p, storage.Key);
        p.Write([(byte)'e', (byte)'.']);
        foreach (var storage in Storages)
        {
            p.Write(CountOverride ?? storage.Elements);
            p.Write(storage.Data);
        }
        p.Flush();
        return file.ToArray();
    }

    private static void Text(BinaryWriter p, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        p.Write((byte)'X');
        p.Write((uint)bytes.Length);
        p.Write(bytes);
    }

    private static void Global(BinaryWriter p, string module, string name)
    {
        p.Write((byte)'c');
        p.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void Int(BinaryWriter p, long value)
    {
        if (value is >= 0 and < 256) p.Write([(byte)'K', (byte)value]);
        else if (value is >= int.MinValue and <= int.MaxValue) { p.Write((byte)'J'); p.Write((int)value); }
        else { p.Write([0x8a, 8]); p.Write(value); }
    }

    private static void Tuple(BinaryWriter p, long[] values)
    {
        p.Write((byte)'(');
        foreach (var v in values) Int(p, v);
        p.Write((byte)'t');
    }
}
