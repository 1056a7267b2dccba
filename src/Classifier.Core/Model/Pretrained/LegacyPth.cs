using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Classifier.Core.Model.Pretrained;

/// <summary>
/// Reads a state dict in PyTorch's legacy torch.save format (before PyTorch 1.6, or
/// <c>_use_new_zipfile_serialization=False</c>; some of torchvision's published files, such as mobilenet_v2's first
/// weights, are in it), as torch/serialization.py's <c>_legacy_load</c> does: pickles of the magic number, the protocol
/// version 1001 and the system's type sizes; the object pickle, whose persistent ids
/// <c>('storage', StorageType, key, location, numel, view)</c> name the storages; a pickle of the storage keys in file
/// order; then per key an int64 little-endian element count and the storage's raw bytes. The tar format of PyTorch
/// before 0.4 is refused. Every size is bounded by the bytes the file really has and by what the network could need.
/// </summary>
internal static class LegacyPth
{
    /// <summary>torch/serialization.py's MAGIC_NUMBER, the first pickle of every legacy file.</summary>
    private static readonly BigInteger MagicNumber = BigInteger.Parse("0" + "1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    private const long ProtocolVersion = 1001;

    /// <summary>The largest object pickle accepted, as for the zip format's data.pkl.</summary>
    private const long MaxPickleBytes = 64L << 20;

    /// <summary>One storage the object pickle names; its bytes follow the pickles.</summary>
    private sealed class Storage(string key, ScalarType type, int elementSize, long elements)
    {
        public string Key { get; } = key;
        public ScalarType Type { get; } = type;
        public int ElementSize { get; } = elementSize;
        public long Elements { get; } = elements;
        public Tensor? Data { get; set; }
    }

    /// <summary>A tensor as the pickle describes it, made once its storage's bytes are read.</summary>
    private sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>
    /// True when <paramref name="stream"/> starts as a legacy file does: with a binary pickle (torch.save writes
    /// protocol 2 unless given another). Whether it is the magic number is checked by <see cref="Read"/>, so that a
    /// pickle that is not torch.save's gets a message about that rather than about zip files.
    /// </summary>
    public static bool IsLegacy(Stream stream)
    {
        Span<byte> head = stackalloc byte[2];
        stream.Position = 0;
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == head.Length && head[0] == 0x80 && head[1] is >= 2 and <= 5;
    }

    /// <summary>True when <paramref name="stream"/> is a tar archive (PyTorch before 0.4 saved as one).</summary>
    public static bool IsTar(Stream stream)
    {
        if (stream.Length < 512) return false;
        Span<byte> magic = stackalloc byte[5];
        stream.Position = 257;
        stream.ReadExactly(magic);
        stream.Position = 0;
        return magic.SequenceEqual("ustar"u8);
    }

    /// <summary>
    /// The state dict (name to tensor, in the current dispose scope; a top-level <c>state_dict</c> entry taken as the
    /// dict) of a legacy file. Throws <see cref="ClassifierException"/> naming <paramref name="shown"/> when the file is
    /// not one torch.load reads as a state dict, is truncated, or claims more than <paramref name="maxDataBytes"/>.
    /// </summary>
    public static Dictionary<string, Tensor> Read(Stream stream, string shown, long maxDataBytes)
    {
        try
        {
            return ReadUnchecked(stream, shown, maxDataBytes);
        }
        catch (EndOfStreamException e)
        {
            throw new ClassifierException($"{shown} is truncated: {e.Message}. Fetch or copy it again (torch.load would fail too).", e);
        }
        catch (InvalidDataException e)
        {
            throw Bad(shown, e.Message);
        }
    }

    private static Dictionary<string, Tensor> ReadUnchecked(Stream stream, string shown, long maxDataBytes)
    {
        long length = stream.Length;
        stream.Position = 0;
        var plain = new StatePickle(stream, length, _ => throw new InvalidDataException("a header pickle names a storage"),
            (g, _) => throw new InvalidDataException($"a header pickle names {g}"));
        if (plain.Load() is not BigInteger magic || magic != MagicNumber) throw Bad(shown, "its first pickle is not torch.save's magic number");
        if (plain.Load() is not long protocol || protocol != ProtocolVersion)
            throw Bad(shown, $"its protocol version is not {ProtocolVersion}");
        if (plain.Load() is StatePickle.Dict sysInfo
            && sysInfo.Items.Any(p => p.Key as string == "little_endian" && p.Value is false))
            throw new ClassifierException($"{shown} was saved on a big-endian machine; load it in PyTorch there and save it again with torch.save (the zip format), then retry.");

        var storages = new Dictionary<string, Storage>(StringComparer.Ordinal);
        var claimed = new StrongBox<long>(0);
        long pickleStart = stream.Position;
        var objects = new StatePickle(stream, Math.Min(length, pickleStart + MaxPickleBytes),
            pid => Persistent(pid, storages, claimed, maxDataBytes, length),
            Rebuild);
        object? root;
        try
        {
            root = objects.Load();
        }
        catch (EndOfStreamException) when (stream.Position >= pickleStart + MaxPickleBytes)
        {
            throw Bad(shown, $"its state dict's pickle is longer than {MaxPickleBytes:N0} bytes; a state dict's pickle is far smaller");
        }
        var keys = plain.Load() as List<object?> ?? throw Bad(shown, "the pickle after the state dict is not the list of storage keys");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in keys)
        {
            string key = item as string ?? throw Bad(shown, "a storage key is not a string");
            if (!seen.Add(key)) throw Bad(shown, $"the storage '{key}' is listed twice");
            var storage = storages.GetValueOrDefault(key) ?? throw Bad(shown, $"the storage '{key}' is listed but no tensor uses it");
            long count = BinaryPrimitives.ReadInt64LittleEndian(ReadExactly(stream, length, 8, key));
            if (count != storage.Elements)
                throw Bad(shown, $"the storage '{key}' holds {count:N0} elements where its tensor says {storage.Elements:N0}");
            long bytes = count * storage.ElementSize;
            if (bytes > length - stream.Position)
                throw new EndOfStreamException($"the storage '{key}' needs {bytes:N0} bytes but the file has {length - stream.Position:N0} left");
            var data = empty([count], storage.Type);
            if (bytes > 0) stream.ReadExactly(data.bytes);
            storage.Data = data;
        }
        var unread = storages.Keys.Where(k => !seen.Contains(k)).ToList();
        if (unread.Count > 0) throw Bad(shown, $"the storage '{unread[0]}' is used but its bytes are not listed");
        if (stream.Position != length)
            throw Bad(shown, $"it has {length - stream.Position:N0} bytes after the last storage");

        if (root is StatePickle.Dict top && top.Items.FirstOrDefault(p => p.Key as string == "state_dict").Value is StatePickle.Dict nested)
            root = nested;
        if (root is not StatePickle.Dict dict)
            throw new ClassifierException($"{shown} holds {(root is null ? "None" : "an object")} instead of a state dict; give torch.save(model.state_dict(), ...).");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name || value is not TensorView view)
                throw new ClassifierException($"{shown} holds '{key}', which is not a named tensor; give a state dict (torch.save(model.state_dict(), ...)).");
            result[name] = Materialize(view, name, shown);
        }
        return result;
    }

    private static object Persistent(object? pid, Dictionary<string, Storage> storages, StrongBox<long> claimed, long maxDataBytes, long fileLength)
    {
        if (pid is not object?[] id || id.Length == 0 || id[0] is not string kind)
            throw new InvalidDataException("a persistent id is not a tuple naming its kind");
        if (kind == "module")
            throw new InvalidDataException("it holds a whole model (torch.save(model)), not a state dict; save torch.save(model.state_dict(), ...) instead");
        if (kind != "storage" || id.Length != 6)
            throw new InvalidDataException($"a persistent id is ('{kind}', ...) with {id.Length} items where torch.save writes ('storage', type, key, location, numel, view)");
        var type = id[1] as StatePickle.Global ?? throw new InvalidDataException("a storage's type is not a class");
        string key = id[2] as string ?? throw new InvalidDataException("a storage's key is not a string");
        if (id[4] is not long elements || elements < 0) throw new InvalidDataException($"the storage '{key}' has no valid element count");
        if (id[5] is not null) throw new InvalidDataException($"the storage '{key}' is a view of another storage, which only PyTorch before 1.0 wrote");
        var (dtype, size) = StorageType(type);
        if (storages.TryGetValue(key, out var known))
        {
            if (known.Type != dtype || known.Elements != elements)
                throw new InvalidDataException($"the storage '{key}' is named twice with different types or sizes");
            return known;
        }
        // Bounded before any allocation: by what the network could need and by what the file really holds.
        claimed.Value += elements > long.MaxValue / 16 ? long.MaxValue / 2 : elements * size;
        if (claimed.Value > maxDataBytes)
            throw new InvalidDataException($"its storages claim more than {maxDataBytes:N0} bytes, more than the network's tensors could need");
        if (claimed.Value > fileLength)
            throw new EndOfStreamException($"its storages claim {claimed.Value:N0} bytes but the file has {fileLength:N0}");
        var storage = new Storage(key, dtype, size, elements);
        storages[key] = storage;
        return storage;
    }

    private static (ScalarType Type, int Size) StorageType(StatePickle.Global type) => (type.Module, type.Name) switch
    {
        ("torch", "FloatStorage") => (ScalarType.Float32, 4),
        ("torch", "DoubleStorage") => (ScalarType.Float64, 8),
        ("torch", "HalfStorage") => (ScalarType.Float16, 2),
        ("torch", "BFloat16Storage") => (ScalarType.BFloat16, 2),
        ("torch", "LongStorage") => (ScalarType.Int64, 8),
        ("torch", "IntStorage") => (ScalarType.Int32, 4),
        ("torch", "ShortStorage") => (ScalarType.Int16, 2),
        ("torch", "CharStorage") => (ScalarType.Int8, 1),
        ("torch", "ByteStorage") => (ScalarType.Byte, 1),
        ("torch", "BoolStorage") => (ScalarType.Bool, 1),
        _ => throw new InvalidDataException($"a storage has the type {type}, which a state dict of a network does not use"),
    };

    /// <summary>The globals a state dict's pickle calls: the dict itself, and the tensor rebuilders.</summary>
    private static object? Rebuild(StatePickle.Global callable, object?[] args) => (callable.Module, callable.Name) switch
    {
        ("collections", "OrderedDict") when args.Length == 0 => new StatePickle.Dict(),
        ("torch._utils", "_rebuild_tensor_v2") when args.Length is 6 or 7 => View(args),
        ("torch._utils", "_rebuild_tensor") when args.Length == 4 => View(args),
        ("torch._utils", "_rebuild_parameter") => throw new InvalidDataException(
            "it holds parameters (a model or an optimizer, not a state dict); save torch.save(model.state_dict(), ...) instead"),
        _ => throw new InvalidDataException(
            $"it calls {callable} (a state dict holds only tensors, numbers and names; this file asks for other Python objects)"),
    };

    private static TensorView View(object?[] args)
    {
        var storage = args[0] as Storage ?? throw new InvalidDataException("a tensor's storage is not a storage");
        if (args[1] is not long offset || offset < 0) throw new InvalidDataException($"a tensor of the storage '{storage.Key}' has no valid offset");
        return new TensorView(storage, offset, Longs(args[2], storage.Key, "shape"), Longs(args[3], storage.Key, "stride"));
    }

    private static long[] Longs(object? value, string key, string what)
    {
        if (value is not object?[] items || items.Length > 64) throw new InvalidDataException($"a tensor of the storage '{key}' has no valid {what}");
        return items.Select(i => i is long n && n >= 0 ? n : throw new InvalidDataException($"a tensor of the storage '{key}' has a {what} of {i ?? "None"}")).ToArray();
    }

    /// <summary>The tensor a view describes, checked to lie inside its storage (as_strided would read past it), and copied out.</summary>
    private static Tensor Materialize(TensorView view, string name, string shown)
    {
        if (view.Shape.Length != view.Stride.Length)
            throw Bad(shown, $"the tensor '{name}' has {view.Shape.Length} sizes but {view.Stride.Length} strides");
        BigInteger last = view.Offset;
        bool empty = false;
        foreach (var (size, stride) in view.Shape.Zip(view.Stride))
        {
            if (size == 0) empty = true;
            last += (BigInteger)(size - 1) * stride;
        }
        if (!empty && last >= view.Storage.Elements)
            throw Bad(shown, $"the tensor '{name}' reaches element {last:N0} of a storage of {view.Storage.Elements:N0}");
        var data = view.Storage.Data!;
        return empty ? zeros(view.Shape, view.Storage.Type) : data.as_strided(view.Shape, view.Stride, view.Offset).clone();
    }

    private static byte[] ReadExactly(Stream stream, long length, int count, string key)
    {
        if (length - stream.Position < count)
            throw new EndOfStreamException($"the file ends before the storage '{key}' (at byte {stream.Position:N0} of {length:N0})");
        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static ClassifierException Bad(string shown, string problem) =>
        new($"{shown} is not a PyTorch state dict as torch.save writes it (the legacy format): {problem}.");

    /// <summary>The message for PyTorch's tar format (before 0.4), which classify does not read.</summary>
    public static ClassifierException TarRefused(string shown) =>
        new($"{shown} is in the tar format of PyTorch before 0.4, which classify does not read; load it in PyTorch and save it again: "
            + "torch.save(torch.load(\"old.pth\"), \"new.pth\").");
}
