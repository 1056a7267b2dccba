using System.Text;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// The opcode walk of <see cref="PthPickle.Scan"/>: argument sizes for every pickle opcode (to count them all), stack
/// effects for those torch.save uses.
/// </summary>
internal sealed class PthPickleWalker(byte[] data, IReadOnlyDictionary<string, long> storages, string shown)
{
    /// <summary>The storage element types torch.save names, with their sizes in bytes.</summary>
    private static readonly Dictionary<string, int> ElementBytes = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = 8, ["FloatStorage"] = 4, ["HalfStorage"] = 2, ["BFloat16Storage"] = 2, ["LongStorage"] = 8,
        ["IntStorage"] = 4, ["ShortStorage"] = 2, ["CharStorage"] = 1, ["ByteStorage"] = 1, ["BoolStorage"] = 1,
        ["ComplexDoubleStorage"] = 16, ["ComplexFloatStorage"] = 8,
    };

    private static readonly Mark TheMark = new();
    private static readonly Opaque Other = new();

    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];
    private readonly Dictionary<object, Dictionary<object, object?>> _dicts = new(ReferenceEqualityComparer.Instance);
    private int _position;
    private bool _following = true;
    private object? _top;

    public PthPickle.Result Run(string prefix)
    {
        long count = 0;
        while (true)
        {
            if (_position >= data.Length) throw Bad("it ends before its STOP opcode");
            if (++count > PthPickle.MaxOpcodes)
                throw Bad($"it holds more than {PthPickle.MaxOpcodes:N0} pickle opcodes; a state dict needs tens per tensor");
            byte op = data[_position++];
            if (op == (byte)'.') break;
            Step(op);
        }
        if (!_following) return new PthPickle.Result(prefix, count, null);
        _top = _stack.Count > 0 ? _stack[^1] : null;
        if (_top is not null && _dicts.TryGetValue(_top, out var dict) && dict.TryGetValue("state_dict", out var nested) && nested is not null
            && _dicts.ContainsKey(nested))
            _top = nested;
        if (_top is null || !_dicts.TryGetValue(_top, out var table)) return new PthPickle.Result(prefix, count, null);
        var tensors = new Dictionary<string, PthPickle.TensorView>(StringComparer.Ordinal);
        foreach (var (key, value) in table)
            if (key is string name && value is PthPickle.TensorView view) tensors[name] = view;
        return new PthPickle.Result(prefix, count, tensors);
    }

    private void Step(byte op)
    {
        switch (op)
        {
            // Opcodes with stack effects followed here (protocol 2 to 4, as torch.save writes a state dict).
            case 0x80: Skip(1); break; // PROTO
            case 0x95: Skip(8); break; // FRAME
            case (byte)'(': Push(TheMark); break;
            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break;
            case 0x89: Push(false); break;
            case (byte)'J': Push((long)BitConverter.ToInt32(Take(4))); break;
            case (byte)'K': Push((long)Take(1)[0]); break;
            case (byte)'M': Push((long)BitConverter.ToUInt16(Take(2))); break;
            case 0x8a: Push(Long(Take(Take(1)[0]))); break; // LONG1
            case (byte)'G': Skip(8); Push(Other); break; // BINFLOAT
            case (byte)'X': Push(Text(Take(Length4()))); break; // BINUNICODE
            case 0x8c: Push(Text(Take(Take(1)[0]))); break; // SHORT_BINUNICODE
            case (byte)'c': Push(new Global(Line(), Line())); break; // GLOBAL
            case 0x93: // STACK_GLOBAL
            {
                var name = Pop();
                var module = Pop();
                Push(module is string m && name is string n ? new Global(m, n) : Other);
                break;
            }
            case (byte)')': Push(Array.Empty<object?>()); break;
            case 0x85: Push(PopMany(1)); break;
            case 0x86: Push(PopMany(2)); break;
            case 0x87: Push(PopMany(3)); break;
            case (byte)'t': Push(PopToMark().ToArray()); break;
            case (byte)'}': Push(NewDict()); break;
            case (byte)']': Push(new List<object?>()); break;
            case (byte)'q': Put(Take(1)[0]); break;
            case (byte)'r': Put(BitConverter.ToUInt32(Take(4))); break;
            case 0x94: Put(_memo.Count); break; // MEMOIZE
            case (byte)'h': Get(Take(1)[0]); break;
            case (byte)'j': Get(BitConverter.ToUInt32(Take(4))); break;
            case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Peek(), k, v); break; }
            case (byte)'u':
            {
                var items = PopToMark();
                if (items.Count % 2 != 0) throw Bad("a SETITEMS opcode has a key without a value");
                for (int i = 0; i < items.Count; i += 2) SetItem(Peek(), items[i], items[i + 1]);
                break;
            }
            case (byte)'a': Pop(); break; // APPEND
            case (byte)'e': PopToMark(); break; // APPENDS
            case (byte)'b': Pop(); break; // BUILD: the state (an OrderedDict's _metadata) is not a tensor
            case (byte)'Q': Push(Persistent(Pop())); break; // BINPERSID
            case (byte)'R': { var args = Pop(); var callable = Pop(); Push(Reduce(callable, args)); break; }
            case (byte)'0': Pop(); break; // POP
            case (byte)'2': Push(Peek()); break; // DUP
            // Every other opcode: its arguments are skipped so the count goes on, and the following stops.
            case (byte)'F' or (byte)'I' or (byte)'L' or (byte)'S' or (byte)'V' or (byte)'g' or (byte)'p' or (byte)'P':
                Line(); Unfollowed(); break;
            case (byte)'i': Line(); Line(); Unfollowed(); break;
            case (byte)'T' or (byte)'B': Skip(Length4()); Unfollowed(); break;
            case (byte)'U' or (byte)'C': Skip(Take(1)[0]); Unfollowed(); break;
            case 0x8b: Skip(Length4()); Unfollowed(); break; // LONG4
            case 0x8d or 0x8e or 0x96: Skip(Length8()); Unfollowed(); break; // BINUNICODE8, BINBYTES8, BYTEARRAY8
            case 0x82: Skip(1); Unfollowed(); break;
            case 0x83: Skip(2); Unfollowed(); break;
            case 0x84: Skip(4); Unfollowed(); break;
            case (byte)'1' or (byte)'d' or (byte)'l' or (byte)'o' or 0x81 or 0x8f or 0x90 or 0x91 or 0x92 or 0x97 or 0x98:
                Unfollowed(); break;
            default:
                throw Bad($"its data.pkl holds the byte 0x{op:X2} where a pickle opcode belongs");
        }
    }

    private object Reduce(object? callable, object? args)
    {
        if (callable is not Global g || args is not object?[] a) return Other;
        if (g is { Module: "collections", Name: "OrderedDict" }) return NewDict();
        if (g is not { Module: "torch._utils", Name: "_rebuild_tensor_v2" or "_rebuild_tensor" }) return Other;
        if (a.Length >= 1 && a[0] is null)
            throw new ClassifierException($"{shown} holds None (null) where a tensor's storage belongs; it is not a state dict as torch.save writes it.");
        if (a.Length < 4 || a[0] is not PthPickle.Storage storage)
            throw Bad("a tensor's _rebuild_tensor_v2 arguments are not (storage, offset, shape, stride, ...)");
        if (a[1] is not long offset || a[2] is not object?[] shapeItems || a[3] is not object?[] strideItems
            || !shapeItems.All(s => s is long) || !strideItems.All(s => s is long))
            throw Bad("a tensor's offset, shape or stride is not a whole number or a tuple of them");
        var shape = shapeItems.Cast<long>().ToArray();
        var stride = strideItems.Cast<long>().ToArray();
        var view = new PthPickle.TensorView(storage, offset, shape, stride);
        Check(view);
        return view;
    }

    /// <summary>
    /// The checks libtorch's as_strided would make, as a message instead of a native error: sizes, strides and the
    /// offset are not negative, there is a stride per dimension, and the last element lies inside the storage.
    /// </summary>
    private void Check(PthPickle.TensorView t)
    {
        var what = $"a tensor in storage '{t.Storage.Key}' (shape [{string.Join(", ", t.Shape)}], stride [{string.Join(", ", t.Stride)}], offset {t.Offset})";
        if (t.Shape.Length != t.Stride.Length) throw Bad($"{what} has {t.Shape.Length} sizes but {t.Stride.Length} strides");
        if (t.Shape.Length > 64) throw Bad($"{what} has more than 64 dimensions");
        if (t.Offset < 0 || t.Shape.Any(s => s < 0) || t.Stride.Any(s => s < 0))
            throw Bad($"{what} has a negative size, stride or offset");
        long elements = t.Storage.Bytes / t.Storage.ElementSize;
        Int128 numel = 1;
        Int128 last = t.Offset;
        for (int i = 0; i < t.Shape.Length; i++)
        {
            numel *= t.Shape[i];
            if (numel > long.MaxValue) throw Bad($"{what} has more elements than can be counted");
            if (t.Shape[i] > 0) last += (Int128)(t.Shape[i] - 1) * t.Stride[i];
        }
        if (numel > 0 && last >= elements)
            throw Bad($"{what} reaches element {last:N0}, past the {elements:N0} elements its storage holds");
    }

    private PthPickle.Storage Persistent(object? pid)
    {
        // torch.save's persistent id: ("storage", <module>.<Type>Storage, key, location, element count).
        if (pid is not object?[] { Length: >= 5 } p || p[0] is not "storage" || p[1] is not Global type || p[2] is not string key)
            throw Bad("a persistent id is not (\"storage\", type, key, location, size) as torch.save writes it");
        if (!ElementBytes.TryGetValue(type.Name, out int size)) throw Bad($"a storage has the type '{type.Module}.{type.Name}'");
        if (!storages.TryGetValue(key, out long bytes)) throw Bad($"the pickle names the storage 'data/{key}', which the archive does not hold");
        if (bytes % size != 0) throw Bad($"the storage 'data/{key}' holds {bytes:N0} bytes, not a whole number of {size}-byte {type.Name} elements");
        return new PthPickle.Storage(key, type.Name, size, bytes);
    }

    private object NewDict()
    {
        var handle = new object();
        _dicts[handle] = new Dictionary<object, object?>();
        return handle;
    }

    private void SetItem(object? target, object? key, object? value)
    {
        if (target is not null && key is not null && _dicts.TryGetValue(target, out var dict)) dict[key] = value;
    }

    private void Unfollowed()
    {
        // The stack effect is not modelled, so nothing below can be trusted: keep counting, stop following.
        _following = false;
        _stack.Clear();
        _stack.Add(Other);
    }

    private void Push(object? value)
    {
        if (_following) _stack.Add(value);
    }

    private object? Pop()
    {
        if (!_following) return Other;
        if (_stack.Count == 0 || _stack[^1] is Mark) throw Bad("an opcode takes a value from an empty pickle stack");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek() => _following && _stack.Count > 0 ? _stack[^1] : Other;

    private object?[] PopMany(int n)
    {
        var items = new object?[n];
        for (int i = n - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private List<object?> PopToMark()
    {
        if (!_following) return [];
        int mark = _stack.FindLastIndex(v => v is Mark);
        if (mark < 0) throw Bad("an opcode looks for a MARK the pickle never set");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private void Put(long index)
    {
        if (_following) _memo[index] = Peek();
    }

    private void Get(long index)
    {
        if (!_following) return;
        if (!_memo.TryGetValue(index, out var value)) throw Bad($"the pickle reads memo entry {index}, which it never stored");
        Push(value);
    }

    private byte[] Take(int n)
    {
        if (n < 0 || _position + (long)n > data.Length) throw Bad("it ends inside an opcode's argument");
        var bytes = data.AsSpan(_position, n).ToArray();
        _position += n;
        return bytes;
    }

    private void Skip(long n)
    {
        if (n < 0 || _position + n > data.Length) throw Bad("it ends inside an opcode's argument");
        _position += (int)n;
    }

    private int Length4()
    {
        uint n = BitConverter.ToUInt32(Take(4));
        return n > int.MaxValue ? throw Bad("an opcode's argument is longer than the file") : (int)n;
    }

    private long Length8()
    {
        ulong n = BitConverter.ToUInt64(Take(8));
        return n > (ulong)data.Length ? throw Bad("an opcode's argument is longer than the file") : (long)n;
    }

    private string Line()
    {
        int end = Array.IndexOf(data, (byte)'\n', _position);
        if (end < 0) throw Bad("it ends inside an opcode's argument");
        var text = Encoding.UTF8.GetString(data, _position, end - _position);
        _position = end + 1;
        return text;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private object Long(byte[] bytes)
    {
        // LONG1: little-endian two's complement; beyond 8 bytes no size or offset could be meant.
        if (bytes.Length > 8) return Other;
        long value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        if (bytes.Length is > 0 and < 8 && (bytes[^1] & 0x80) != 0) value -= 1L << (8 * bytes.Length);
        return value;
    }

    private ClassifierException Bad(string problem) =>
        new($"{shown} is not a PyTorch state dict as torch.save writes it: {problem}.");

    private sealed record Global(string Module, string Name);

    private sealed class Mark;

    private sealed class Opaque;
}
