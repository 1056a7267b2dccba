using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// A restricted unpickler for the pickles of PyTorch's legacy torch.save format: numbers, strings, tuples, lists and
/// dicts, plus the globals a state dict names (resolved by the caller's <c>reduce</c>) and persistent ids (resolved by
/// the caller's <c>persistent</c>). Protocols 0-2 as torch.save writes them (protocol 2), and the few protocol 3-4
/// opcodes a re-saved file may hold. Every length is checked against the bytes left before anything is allocated, so
/// a hostile file fails with <see cref="InvalidDataException"/> instead of exhausting memory. Razorvine's unpickler
/// (used by TorchSharp.PyBridge for the zip format) resolves globals through one process-wide table, which PyBridge
/// already fills with constructors that expect its own zip entries; hence this separate one.
/// </summary>
internal sealed class StatePickle
{
    /// <summary>A global the pickle names (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>, <c>torch.FloatStorage</c>).</summary>
    internal sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    /// <summary>A dict in insertion order (Python's dict and OrderedDict keep it).</summary>
    internal sealed class Dict
    {
        public List<KeyValuePair<object, object?>> Items { get; } = [];
    }

    private const int MaxDepth = 10_000;
    private static readonly object Mark = new();

    private readonly Stream _stream;
    private readonly long _end;
    private readonly Func<object?, object?> _persistent;
    private readonly Func<Global, object?[], object?> _reduce;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];

    /// <summary>An unpickler reading <paramref name="stream"/> from its position up to <paramref name="end"/>.</summary>
    public StatePickle(Stream stream, long end, Func<object?, object?> persistent, Func<Global, object?[], object?> reduce)
    {
        _stream = stream;
        _end = end;
        _persistent = persistent;
        _reduce = reduce;
    }

    /// <summary>Reads one pickle up to its STOP opcode and returns its value; the stream is left just after STOP.</summary>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO n
                case 0x95: ReadBytes(8); break; // FRAME (protocol 4): the frame's length, irrelevant when reading in order
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 0x8a: Push(Long(ReadBytes(ReadByte()))); break; // LONG1
                case 0x8b: Push(Long(ReadBytes(Length(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'I': Push(IntLine(ReadLine())); break; // INT (protocol 0; also I01/I00 for True/False)
                case (byte)'L': Push(Long(ReadLine().TrimEnd('L'))); break; // LONG (protocol 0)
                case (byte)'X': Push(Encoding.UTF8.GetString(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))))); break; // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                // Python 2 byte strings; torch.load decodes them (encoding='utf-8' by default).
                case (byte)'U': Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'T': Push(Encoding.UTF8.GetString(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))))); break; // BINSTRING
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case (byte)'B': Push(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break; // BINBYTES
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'t': Push(PopToMark().ToArray()); break; // TUPLE
                case 0x85: Push(PopMany(1)); break; // TUPLE1
                case 0x86: Push(PopMany(2)); break; // TUPLE2
                case 0x87: Push(PopMany(3)); break; // TUPLE3
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopToMark()); break; // LIST
                case (byte)'a': { var item = Pop(); As<List<object?>>(Top(), "APPEND").Add(item); break; }
                case (byte)'e': { var items = PopToMark(); As<List<object?>>(Top(), "APPENDS").AddRange(items); break; }
                case (byte)'}': Push(new Dict()); break; // EMPTY_DICT
                case (byte)'d': { var dict = new Dict(); AddPairs(dict, PopToMark()); Push(dict); break; } // DICT
                case (byte)'s': { var value = Pop(); var key = Pop(); AddPairs(As<Dict>(Top(), "SETITEM"), [key, value]); break; }
                case (byte)'u': { var items = PopToMark(); AddPairs(As<Dict>(Top(), "SETITEMS"), items); break; }
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopToMark(); break; // POP_MARK
                case (byte)'2': Push(Top()); break; // DUP
                case (byte)'q': _memo[ReadByte()] = Top(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Top(); break; // LONG_BINPUT
                case (byte)'p': _memo[IntLine(ReadLine()) is long slot ? slot : throw Bad("PUT")] = Top(); break; // PUT
                case 0x94: _memo[_memo.Count] = Top(); break; // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'g': Push(Memo(IntLine(ReadLine()) is long index ? index : throw Bad("GET"))); break; // GET
                case (byte)'c': Push(new Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(new Global(As<string>(module, "STACK_GLOBAL"), As<string>(name, "STACK_GLOBAL"))); break; }
                case (byte)'R': { var args = As<object?[]>(Pop(), "REDUCE"); Push(_reduce(As<Global>(Pop(), "REDUCE"), args)); break; }
                case 0x81: { var args = As<object?[]>(Pop(), "NEWOBJ"); Push(_reduce(As<Global>(Pop(), "NEWOBJ"), args)); break; }
                case (byte)'b': Pop(); Top(); break; // BUILD: the state of an OrderedDict (its _metadata) or of a tensor; not needed
                case (byte)'Q': Push(_persistent(Pop())); break; // BINPERSID
                default:
                    throw new InvalidDataException($"the pickle holds the opcode 0x{op:x2} at byte {_stream.Position - 1}, which a state dict's pickle does not use");
            }
        }
    }

    private void Push(object? value)
    {
        if (_stack.Count >= MaxDepth * 10) throw new InvalidDataException($"the pickle's stack grows beyond {MaxDepth * 10:N0} items");
        _stack.Add(value);
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count))
            throw new InvalidDataException($"the pickle pops an empty stack at byte {_stream.Position - 1}");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Top() => _stack.Count > 0 ? _stack[^1] : throw new InvalidDataException($"the pickle reads an empty stack at byte {_stream.Position - 1}");

    private object?[] PopMany(int count)
    {
        var items = new object?[count];
        for (int i = count - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0) throw new InvalidDataException($"the pickle closes a MARK it never opened at byte {_stream.Position - 1}");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"the pickle refers to memo {index}, which it never stored");

    private static void AddPairs(Dict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("the pickle sets a dict item without a value");
        for (int i = 0; i < items.Count; i += 2)
            dict.Items.Add(new(items[i] ?? throw new InvalidDataException("the pickle uses None as a dict key"), items[i + 1]));
    }

    private static T As<T>(object? value, string opcode) =>
        value is T typed ? typed : throw new InvalidDataException($"the pickle's {opcode} applies to {Describe(value)}");

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Global g => g.ToString(),
        string => "a string",
        object?[] => "a tuple",
        _ => value.GetType().Name,
    };

    private static InvalidDataException Bad(string opcode) => new($"the pickle's {opcode} has no valid number");

    private static object IntLine(string line) => line switch
    {
        "01" => true,
        "00" => false,
        _ => long.TryParse(line, out var n) ? n : throw new InvalidDataException($"the pickle's INT '{line}' is not a number"),
    };

    private static object Long(string digits) =>
        BigInteger.TryParse(digits, out var n) ? Narrow(n) : throw new InvalidDataException($"the pickle's LONG '{digits}' is not a number");

    private static object Long(byte[] bytes) => Narrow(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static object Narrow(BigInteger n) => n >= long.MinValue && n <= long.MaxValue ? (object)(long)n : n;

    private int Length(long length)
    {
        if (length < 0 || length > _end - _stream.Position)
            throw new EndOfStreamException($"the pickle claims {length:N0} bytes at byte {_stream.Position} but the file has {Math.Max(0, _end - _stream.Position):N0} left");
        return (int)length;
    }

    private byte ReadByte()
    {
        int b = _stream.Position < _end ? _stream.ReadByte() : -1;
        return b >= 0 ? (byte)b : throw new EndOfStreamException("the file ends inside a pickle");
    }

    private byte[] ReadBytes(int count)
    {
        Length(count);
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        return bytes;
    }

    private string ReadLine()
    {
        var line = new StringBuilder();
        for (byte b = ReadByte(); b != (byte)'\n'; b = ReadByte())
        {
            if (line.Length >= 4096) throw new InvalidDataException("the pickle holds a text line longer than 4096 bytes");
            line.Append((char)b);
        }
        return line.ToString();
    }
}
